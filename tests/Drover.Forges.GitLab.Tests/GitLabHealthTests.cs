using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing;

namespace Drover.Forges.GitLab.Tests;

/// <summary>The GitLab forge's own health report and its poller's backoff.</summary>
public sealed class GitLabHealthTests
{
    private readonly FakeGitLab _api = new();
    private readonly ListLogger _logs = new();

    private GitLabForge Forge(string token = FakeGitLab.Token, TimeSpan? pollInterval = null)
    {
        var forge = new ForgeConfig
        {
            Name = "gitlab",
            Kind = ForgeKind.GitLab,
            Url = new Uri("https://gitlab.example.com"),
            Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "GL_TOKEN") },
        };
        var fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [forge],
            Providers = [new ProviderConfig { Name = "local", Type = "process" }],
            Pools = [new PoolConfig { Name = "docker", Forge = "gitlab", Scope = new PoolScope(ScopeKind.Group, "acme"), Tags = ["docker"], Provider = "local" }],
        };
        var environment = new Dictionary<string, string> { ["GL_TOKEN"] = token };
        var options = GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, Handler = _api, PollInterval = pollInterval ?? TimeSpan.FromSeconds(30), Random = new Random(5) };
        return (GitLabForge)GitLabForgeFactory.Create(forge, new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, _logs), options);
    }

    [Fact]
    public void Health_BeforeAnyCall_IsNotOk()
    {
        using var forge = Forge();

        var health = forge.Health();

        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.True(HealthRecorder.IsUnchecked(health));
    }

    [Fact]
    public async Task Health_AfterASuccessfulList_IsOk_WithTheRateLimitGitLabReported()
    {
        using var forge = Forge();

        await forge.ListRunnersAsync(CancellationToken.None);
        var health = forge.Health();

        Assert.Equal(ComponentStatus.Ok, health.Status);
        Assert.NotNull(health.LastSuccess);
        Assert.Equal("gitlab", health.Name);
    }

    [Fact]
    public async Task Health_TokenRefused_IsDownWithTheError_AndNoToken()
    {
        using var forge = Forge(token: "glpat-wrong");

        await Assert.ThrowsAnyAsync<Exception>(() => forge.ListRunnersAsync(CancellationToken.None));
        var health = forge.Health();

        Assert.Equal(ComponentStatus.Down, health.Status);
        Assert.Contains("401", health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain("glpat-wrong", health.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_ServerErrors_DegradedThenDown_ThenDegradedAfterASuccess()
    {
        using var forge = Forge();
        _api.ServerErrors = 3;

        await Assert.ThrowsAnyAsync<Exception>(() => forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(ComponentStatus.Degraded, forge.Health().Status);
        await Assert.ThrowsAnyAsync<Exception>(() => forge.ListRunnersAsync(CancellationToken.None));
        await Assert.ThrowsAnyAsync<Exception>(() => forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(ComponentStatus.Down, forge.Health().Status);

        await forge.ListRunnersAsync(CancellationToken.None);
        var recovered = forge.Health();
        Assert.Equal(ComponentStatus.Degraded, recovered.Status);
        Assert.Contains("later ones succeeded", recovered.Details[HealthRecorder.ReasonKey], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poller_FailingRounds_BackOff_AndLogTheFailureOnceAndTheRecoveryOnce()
    {
        using var forge = Forge(pollInterval: TimeSpan.FromMilliseconds(50));
        _api.ServerErrors = 3;

        var recoveredAfter = await PollLoops.RunUntilRecoveredAsync(token => forge.RunAsync(_ => { }, token), _logs);

        Assert.Single(_logs.Messages, m => m.Contains("polling is failing", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("polling group:acme failed", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("polling recovered after 3 failed round(s)", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("polling group:acme works again", StringComparison.Ordinal));

        // Three failed rounds wait at least 0.5 + 1 + 2 s (half of 1, 2 and 4 s); at the 50 ms interval they would take 0.15 s.
        Assert.True(recoveredAfter >= TimeSpan.FromSeconds(3.4), $"recovered after {recoveredAfter}: the failed rounds did not back off");
    }
}
