namespace Drover.Chaos.Tests.Fuzz;

/// <summary>One generated HTTP input: the target it is counted under, the seed it came from, its body and the request.</summary>
internal sealed record FuzzRequest(string Target, int Seed, byte[] Body, HttpRequestMessage Request);
