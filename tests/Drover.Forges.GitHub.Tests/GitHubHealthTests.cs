using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Testing;
using Drover.Testing.GitHub;

namespace Drover.Forges.GitHub.Tests;

/// <summary>The GitHub forge's own health report and its poller's backoff, against the emulator.</summary>
public sealed class GitHubHealthTests
{
    private readonly ListLogger _logs = new();

    private async Task<(GitHubEmulator Emulator, GitHubForge Forge)> StartAsync()
    {
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        var config = TestForges.Forge(emulator.ApiUrl);
        var fleet = TestForges.Fleet(config, TestForges.Pool("linux", new PoolScope(ScopeKind.Repository, "acme/api"), ["linux"]));
        var options = GitHubForgeOptions.Default with
        {
            Environment = n => TestForges.Environment.GetValueOrDefault(n),
            PollInterval = TimeSpan.FromMilliseconds(50),
            Random = new Random(3),
        };
        return (emulator, GitHubForgeFactory.Create(config, new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, _logs), options));
    }

    [Fact]
    public async Task Health_NotCheckedThenOkWithTheRateLimit_ThenDegradedAfterAFailure()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        Assert.True(HealthRecorder.IsUnchecked(forge.Health()));
        Assert.NotEqual(ComponentStatus.Ok, forge.Health().Status);

        await forge.ListRunnersAsync(CancellationToken.None);
        var ok = forge.Health();
        Assert.Equal(ComponentStatus.Ok, ok.Status);
        Assert.Equal("4999", ok.Details["rateLimitRemaining"]);

        emulator.Faults.FailNext = 1;
        await Assert.ThrowsAnyAsync<Exception>(() => forge.ListRunnersAsync(CancellationToken.None));
        var failed = forge.Health();
        Assert.Equal(ComponentStatus.Degraded, failed.Status);
        Assert.Contains("502", failed.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(TestForges.Token, failed.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poller_FailingRounds_BackOff_AndLogTheFailureOnceAndTheRecoveryOnce()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        emulator.Faults.FailNext = 3;

        var recoveredAfter = await PollLoops.RunUntilRecoveredAsync(token => forge.RunAsync(_ => { }, token), _logs);

        Assert.Single(_logs.Messages, m => m.Contains("polling is failing", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("poll of acme/api failed", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("polling recovered after 3 failed round(s)", StringComparison.Ordinal));
        Assert.Single(_logs.Messages, m => m.Contains("poll of acme/api works again", StringComparison.Ordinal));
        Assert.True(recoveredAfter >= TimeSpan.FromSeconds(3.4), $"recovered after {recoveredAfter}: the failed rounds did not back off");
    }
}
