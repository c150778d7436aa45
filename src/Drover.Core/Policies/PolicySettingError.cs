namespace Drover.Core.Policies;

/// <summary>A problem with one key of a pool's <c>policySettings</c>.</summary>
public sealed record PolicySettingError(string Key, string Message);
