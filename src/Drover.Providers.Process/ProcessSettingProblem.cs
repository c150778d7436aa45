namespace Drover.Providers.Process;

/// <summary>One problem of a <c>process</c> provider's settings.</summary>
/// <param name="Key">The settings key (<c>command</c>, <c>maxConcurrent</c>, ...).</param>
/// <param name="Message">What is wrong; never contains a secret.</param>
public sealed record ProcessSettingProblem(string Key, string Message);
