using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Engine.Execution;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>Builds GitHub forge adapters for tests from a small fleet with secrets in a fake environment.</summary>
internal static class TestForges
{
    public const string WebhookSecret = "It's a Secret to Everybody";
    public const string Token = "ghp_test_token_value";

    public static readonly Dictionary<string, string> Environment = new(StringComparer.Ordinal)
    {
        ["GH_HOOK_SECRET"] = WebhookSecret,
        ["GH_TOKEN"] = Token,
    };

    public static ForgeConfig Forge(Uri? url = null, bool withSecret = true, ForgeAuth? auth = null) => new()
    {
        Name = "github",
        Kind = ForgeKind.GitHub,
        Url = url ?? new Uri("https://api.github.com"),
        Auth = auth ?? new ForgeAuth { Token = new SecretRef(SecretSource.Env, "GH_TOKEN") },
        WebhookSecret = withSecret ? new SecretRef(SecretSource.Env, "GH_HOOK_SECRET") : null,
    };

    public static PoolConfig Pool(string name, PoolScope scope, IReadOnlyList<string> labels, bool ephemeral = true) => new()
    {
        Name = name,
        Forge = "github",
        Scope = scope,
        Labels = labels,
        Provider = "stand-in",
        Ephemeral = ephemeral,
        Max = 20,
        IdleTimeout = TimeSpan.Zero,
    };

    public static FleetConfig Fleet(ForgeConfig forge, params PoolConfig[] pools) => new()
    {
        ControllerId = "drover",
        Forges = [forge],
        Providers = [new ProviderConfig { Name = "stand-in", Type = "stand-in" }],
        Pools = pools,
    };

    public static GitHubForge Create(ForgeConfig forge, FleetConfig fleet, TimeProvider? time = null, GitHubForgeOptions? options = null)
    {
        var context = new AdapterContext(fleet, new RunnerCredentialVault(), time ?? TimeProvider.System, NullLoggerFactory.Instance);
        return GitHubForgeFactory.Create(forge, context, (options ?? GitHubForgeOptions.Default) with { Environment = name => Environment.GetValueOrDefault(name) });
    }
}
