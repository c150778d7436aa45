namespace Drover.Core.Config;

/// <summary>A problem with one key of a provider's <c>settings</c>, reported at <c>providers[i].settings.&lt;key&gt;</c>.</summary>
/// <param name="Key">The settings key; empty for a problem of the settings as a whole.</param>
/// <param name="Message">What is wrong; never contains a secret.</param>
public sealed record ProviderSettingError(string Key, string Message);
