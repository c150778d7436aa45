using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Testing.GitHub;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Forges.GitHub.Tests;

/// <summary>The forge's calls against the emulator's secondary limit (points per endpoint and window) and primary budget.</summary>
public sealed class PacingTests
{
    private const string MintEndpoint = "POST /repos/acme/api/actions/runners/generate-jitconfig";

    private static async Task<(GitHubEmulator Emulator, GitHubForge Forge)> StartAsync(FakeTimeProvider time, int emulatorPoints, GitHubForgeOptions options)
    {
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions
        {
            Tokens = [TestForges.Token],
            Time = time,
            SecondaryPointsPerWindow = emulatorPoints,
            SecondaryWindow = TimeSpan.FromMinutes(1),
        });
        var config = TestForges.Forge(emulator.ApiUrl);
        var forge = TestForges.Create(config, TestForges.Fleet(config, [TestForges.Pool("linux", new PoolScope(ScopeKind.Repository, "acme/api"), ["linux"])]), time, options);
        return (emulator, forge);
    }

    private static async Task<(int Minted, List<Exception> Failures)> MintAsync(GitHubForge forge, int count, int from = 0)
    {
        var calls = Enumerable.Range(from, count).Select(i => forge.MintRunnerCredentialAsync("linux", $"drover-linux-{i}", CancellationToken.None)).ToList();
        var failures = new List<Exception>();
        var minted = 0;
        foreach (var call in calls)
        {
            try
            {
                await call;
                minted++;
            }
            catch (Exception e) when (e is GitHubApiException or CallPacedException)
            {
                failures.Add(e);
            }
        }

        return (minted, failures);
    }

    [Fact]
    public async Task Mints_QueuedForASlotWhenTheForgeRefusesOne_NoneSentWhileItsRetryAfterRuns()
    {
        // The client does not know the limit (pacing off): the forge's refusal is how it learns it. Calls that passed the
        // hold check before the refusal and then waited for a slot must not go out during the Retry-After.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (emulator, forge) = await StartAsync(time, emulatorPoints: 50, GitHubForgeOptions.Default with { SecondaryPointsPerWindow = 0, MaxConcurrency = 1 });
        await using var _ = emulator;
        using var __ = forge;

        var (minted, failures) = await MintAsync(forge, 30);

        Assert.Equal(10, minted);
        Assert.Equal(20, failures.Count);
        Assert.All(failures, f => Assert.IsType<GitHubRateLimitedException>(f));
        Assert.Single(emulator.SecondaryRefusals);
        Assert.Equal(11, emulator.Requests.Count);
    }

    [Fact]
    public async Task Mints_BeyondTheEndpointsBudget_HeldUnsentUntilTheWindowHasPassed_NeverRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (emulator, forge) = await StartAsync(time, emulatorPoints: 50, GitHubForgeOptions.Default with { SecondaryPointsPerWindow = 50, SecondaryWindow = TimeSpan.FromMinutes(1) });
        await using var _ = emulator;
        using var __ = forge;
        var start = time.GetUtcNow();

        var (minted, failures) = await MintAsync(forge, 30);

        Assert.Equal(10, minted);
        Assert.Equal(20, failures.Count);
        var held = Assert.IsType<CallPacedException>(failures[0]);
        Assert.Equal(MintEndpoint, held.Endpoint);
        Assert.Equal(start + forge.Client.Gate.Pacer.Span, held.Until);
        Assert.Empty(emulator.SecondaryRefusals);
        Assert.Equal(10, emulator.Requests.Count);

        // Other endpoints keep their own budget.
        await forge.ListRunnersAsync(CancellationToken.None);

        time.Advance(forge.Client.Gate.Pacer.Span);
        (minted, failures) = await MintAsync(forge, 10, from: 30);
        Assert.Equal(10, minted);
        Assert.Empty(failures);
        Assert.Empty(emulator.SecondaryRefusals);
    }

    [Fact]
    public async Task Calls_PrimaryBudgetAboutToBeSpent_HeldUnsentUntilTheReset_NeverRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (emulator, forge) = await StartAsync(time, emulatorPoints: 0, GitHubForgeOptions.Default);
        await using var _ = emulator;
        using var __ = forge;
        var reset = DateTimeOffset.FromUnixTimeSeconds(time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds());
        emulator.SetRateLimit(3, reset);

        await forge.ListRunnersAsync(CancellationToken.None);
        Assert.Equal(2, forge.RateLimitRemaining);
        var (minted, failures) = await MintAsync(forge, 1);
        (var second, failures) = await MintAsync(forge, 1, from: 1);
        Assert.Equal((1, 1), (minted, second));

        var held = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(reset, held.Until);
        Assert.Equal(3, emulator.Requests.Count);
        Assert.DoesNotContain(emulator.Requests, r => r.EndsWith(" 403", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListRunners_FirstPageUnchanged_304WithoutALinkHeader_StillEveryPage()
    {
        // An unchanged first page is answered 304 (no rate limit spent), and the emulator, like any server may, sends no
        // Link header with it. A list that stopped there lost every later page: every idle runner on them looked
        // unregistered, was failed, deleted and replaced (the burst's storm of extra creates).
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token], Time = time, MaxPerPage = 2 });
        await using var _ = emulator;
        var config = TestForges.Forge(emulator.ApiUrl);
        using var forge = TestForges.Create(config, TestForges.Fleet(config, [TestForges.Pool("linux", new PoolScope(ScopeKind.Repository, "acme/api"), ["linux"])]), time);
        for (var i = 0; i < 5; i++)
        {
            emulator.AddRunner("/repos/acme/api", $"drover-linux-{i}", ["linux"], online: true);
        }

        Assert.Equal(5, (await forge.ListRunnersAsync(CancellationToken.None)).Count);
        var again = await forge.ListRunnersAsync(CancellationToken.None);

        Assert.Contains(emulator.Requests, r => r.EndsWith(" 304", StringComparison.Ordinal));
        Assert.Equal(5, again.Count);
    }
}
