using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Drover.Providers.External;

/// <summary>
/// GARM's <c>BootstrapInstance</c> (<c>garm-provider-common/params/params.go</c>): what <c>CreateInstance</c> reads on
/// stdin. The JSON names are GARM's, hyphens and underscores as they are.
/// </summary>
internal sealed record GarmBootstrapInstance
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("tools")]
    public IReadOnlyList<GarmRunnerTool> Tools { get; init; } = [];

    [JsonPropertyName("repo_url")]
    public string RepoUrl { get; init; } = string.Empty;

    [JsonPropertyName("callback-url")]
    public required string CallbackUrl { get; init; }

    [JsonPropertyName("metadata-url")]
    public required string MetadataUrl { get; init; }

    /// <summary>The per-instance bootstrap token: a secret, written only to the executable's stdin.</summary>
    [JsonPropertyName("instance-token")]
    public required string InstanceToken { get; init; }

    [JsonPropertyName("ssh-keys")]
    public IReadOnlyList<string> SshKeys { get; init; } = [];

    [JsonPropertyName("extra_specs")]
    public JsonNode? ExtraSpecs { get; init; }

    [JsonPropertyName("github-runner-group")]
    public string RunnerGroup { get; init; } = string.Empty;

    [JsonPropertyName("ca-cert-bundle")]
    public string? CaCertBundle { get; init; }

    [JsonPropertyName("arch")]
    public required string Arch { get; init; }

    [JsonPropertyName("os_type")]
    public required string OsType { get; init; }

    [JsonPropertyName("flavor")]
    public string Flavor { get; init; } = string.Empty;

    [JsonPropertyName("image")]
    public string Image { get; init; } = string.Empty;

    [JsonPropertyName("labels")]
    public IReadOnlyList<string> Labels { get; init; } = [];

    [JsonPropertyName("pool_id")]
    public required string PoolId { get; init; }

    [JsonPropertyName("user_data_options")]
    public GarmUserDataOptions UserDataOptions { get; init; } = new();

    [JsonPropertyName("jit_config_enabled")]
    public bool JitConfigEnabled { get; init; }

    [JsonPropertyName("proxy_config")]
    public GarmProxyConfig ProxyConfig { get; init; } = new();
}
