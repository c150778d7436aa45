namespace Drover.Core.Ports;

/// <summary>A named lease row: who holds it, since when, and until when.</summary>
public sealed record LeaderLease(string Name, string Holder, DateTimeOffset AcquiredAt, DateTimeOffset ExpiresAt);
