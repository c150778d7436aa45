using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Engine.Execution;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Testing.GitHub;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Forges.GitHub.Tests;

/// <summary>A pool added by a configuration reload is served by the running forge adapter without a restart.</summary>
public sealed class ReloadTests
{
    [Fact]
    public async Task PoolAddedByReload_CanMintCredentials_AndIsAmongThePools()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        var config = TestForges.Forge(emulator.ApiUrl);
        var api = new PoolScope(ScopeKind.Repository, "acme/api");
        var current = TestForges.Fleet(config, TestForges.Pool("linux", api, ["linux"]));
        var context = new AdapterContext(current, new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance) { CurrentFleet = () => current };
        using var forge = GitHubForgeFactory.Create(config, context, GitHubForgeOptions.Default with { Environment = n => TestForges.Environment.GetValueOrDefault(n) });

        var before = await Assert.ThrowsAsync<InvalidOperationException>(() => forge.MintRunnerCredentialAsync("gpu", "drover-gpu-1", CancellationToken.None));
        Assert.Contains("'gpu' is not a pool", before.Message, StringComparison.Ordinal);

        current = current with { Pools = [.. current.Pools, TestForges.Pool("gpu", new PoolScope(ScopeKind.Repository, "acme/web"), ["linux", "gpu"])] };
        var credential = await forge.MintRunnerCredentialAsync("gpu", "drover-gpu-1", CancellationToken.None);

        Assert.Equal("jit-config", credential.Kind);
        Assert.Equal(["linux", "gpu"], forge.Pools.Select(p => p.Name).ToArray());
        Assert.Contains(emulator.Runners(), r => r.Name == "drover-gpu-1" && r.Scope == "/repos/acme/web");
    }
}
