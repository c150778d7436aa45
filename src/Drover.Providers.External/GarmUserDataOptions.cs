using System.Text.Json.Serialization;

namespace Drover.Providers.External;

/// <summary>GARM's <c>UserDataOptions</c>; GARM itself leaves them zero and providers fill them from their extra specs.</summary>
internal sealed record GarmUserDataOptions
{
    [JsonPropertyName("disable_updates_on_boot")]
    public bool DisableUpdatesOnBoot { get; init; }

    [JsonPropertyName("extra_packages")]
    public IReadOnlyList<string> ExtraPackages { get; init; } = [];

    [JsonPropertyName("enable_boot_debug")]
    public bool EnableBootDebug { get; init; }
}
