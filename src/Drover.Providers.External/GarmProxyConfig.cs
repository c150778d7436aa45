using System.Text.Json.Serialization;

namespace Drover.Providers.External;

/// <summary>GARM's <c>ProxyConfig</c>; Drover sends it empty.</summary>
internal sealed record GarmProxyConfig
{
    [JsonPropertyName("http_proxy")]
    public string HttpProxy { get; init; } = string.Empty;

    [JsonPropertyName("https_proxy")]
    public string HttpsProxy { get; init; } = string.Empty;

    [JsonPropertyName("no_proxy")]
    public string NoProxy { get; init; } = string.Empty;
}
