using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Forges.GitLab.Api;
using Drover.Testing;
using Drover.Testing.GitLab;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Forges.GitLab.Tests;

/// <summary>The forge's calls against the emulator's limit on authenticated API requests per user and window.</summary>
public sealed class GitLabPacingTests
{
    private const string Token = "glpat-pacing";

    private static GitLabForge Forge(GitLabEmulator gitlab, TimeProvider time, GitLabForgeOptions options)
    {
        var forge = new ForgeConfig
        {
            Name = "gitlab",
            Kind = ForgeKind.GitLab,
            Url = gitlab.Url,
            Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "GL_TOKEN") },
        };
        var fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [forge],
            Providers = [new ProviderConfig { Name = "local", Type = "process" }],
            Pools = [new PoolConfig { Name = "docker", Forge = "gitlab", Scope = new PoolScope(ScopeKind.Group, "acme"), Tags = ["docker"], Provider = "local" }],
        };
        return (GitLabForge)GitLabForgeFactory.Create(forge, new AdapterContext(fleet, new RunnerCredentialVault(), time, new ListLogger()), options with { Environment = name => name == "GL_TOKEN" ? Token : null, Polling = false });
    }

    private static async Task<(int Minted, List<Exception> Failures)> MintAsync(GitLabForge forge, int count, int from = 0)
    {
        var failures = new List<Exception>();
        var minted = 0;
        for (var i = from; i < from + count; i++)
        {
            try
            {
                await forge.MintRunnerCredentialAsync("docker", $"drover-docker-{i}", CancellationToken.None);
                minted++;
            }
            catch (Exception e) when (e is GitLabApiException or CallPacedException)
            {
                failures.Add(e);
            }
        }

        return (minted, failures);
    }

    [Fact]
    public async Task Emulator_PastTheLimit_429WithRetryAfterAndTheRateLimitHeaders()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        (gitlab.RateLimitClock, gitlab.RequestsPerWindow) = (time, 2);
        using var http = new HttpClient { BaseAddress = gitlab.Url };
        http.DefaultRequestHeaders.Add("PRIVATE-TOKEN", Token);

        using var first = await http.GetAsync(new Uri("/api/v4/groups/acme", UriKind.Relative));
        time.Advance(TimeSpan.FromSeconds(15));
        using var second = await http.GetAsync(new Uri("/api/v4/groups/acme", UriKind.Relative));
        using var third = await http.GetAsync(new Uri("/api/v4/groups/acme", UriKind.Relative));

        Assert.Equal((200, 200, 429), ((int)first.StatusCode, (int)second.StatusCode, (int)third.StatusCode));
        Assert.Equal("1", first.Headers.GetValues("RateLimit-Remaining").Single());
        Assert.Equal("2", second.Headers.GetValues("RateLimit-Observed").Single());
        Assert.Equal("1800000060", third.Headers.GetValues("RateLimit-Reset").Single());
        Assert.Equal(TimeSpan.FromSeconds(45), third.Headers.RetryAfter?.Delta);
        Assert.Single(gitlab.RateLimitRefusals);

        time.Advance(TimeSpan.FromSeconds(45));
        using var next = await http.GetAsync(new Uri("/api/v4/groups/acme", UriKind.Relative));
        Assert.Equal(200, (int)next.StatusCode);
    }

    [Fact]
    public async Task Mints_BeyondTheRequestBudget_HeldUnsent_NeverRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        (gitlab.RateLimitClock, gitlab.RequestsPerWindow) = (time, 6);
        using var forge = Forge(gitlab, time, GitLabForgeOptions.Default with { RequestsPerMinute = 6, MaxRateLimitWait = TimeSpan.FromSeconds(1) });

        var (minted, failures) = await MintAsync(forge, 10);

        var sent = gitlab.ApiRequests.Count;
        Assert.Equal(6, sent);
        Assert.Equal(10, minted + failures.Count);
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.IsType<CallPacedException>(f));
        Assert.Empty(gitlab.RateLimitRefusals);

        time.Advance(forge.Client.Budget.Pacer.Span);
        (minted, failures) = await MintAsync(forge, 1, from: 10);
        Assert.Equal(1, minted);
        Assert.Empty(gitlab.RateLimitRefusals);
    }

    [Fact]
    public async Task Mints_ClientBudgetAboveGitLabs_GitLabsRemainingHoldsTheCallsUntilItsReset_NeverRefused()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));
        await using var gitlab = await GitLabEmulator.StartAsync(Token);
        (gitlab.RateLimitClock, gitlab.RequestsPerWindow) = (time, 6);
        using var forge = Forge(gitlab, time, GitLabForgeOptions.Default with { RequestsPerMinute = 100, MaxRateLimitWait = TimeSpan.FromSeconds(1) });

        var (minted, failures) = await MintAsync(forge, 10);

        Assert.Equal(6, gitlab.ApiRequests.Count);
        Assert.Equal(10, minted + failures.Count);
        Assert.All(failures, f => Assert.Equal((CallFailureKind.RateLimited, DateTimeOffset.FromUnixTimeSeconds(1_800_000_060)), CallFailures.Classify(f)));
        Assert.Empty(gitlab.RateLimitRefusals);

        time.Advance(TimeSpan.FromSeconds(60));
        (minted, _) = await MintAsync(forge, 1, from: 10);
        Assert.Equal(1, minted);
        Assert.Empty(gitlab.RateLimitRefusals);
    }
}
