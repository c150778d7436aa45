using System.Net;
using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Engine.Execution;
using Drover.Engine.Metrics;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Server.Metrics;
using Drover.Testing;
using Drover.Testing.GitHub;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Forges.GitHub.Tests;

public sealed class RestClientTests
{
    private static readonly PoolScope _repo = new(ScopeKind.Repository, "acme/api");

    private static async Task<(GitHubEmulator Emulator, GitHubForge Forge)> StartAsync(
        GitHubEmulatorOptions? emulatorOptions = null, PoolConfig[]? pools = null, TimeProvider? time = null, ForgeAuth? auth = null)
    {
        var emulator = await GitHubEmulator.StartAsync((emulatorOptions ?? new GitHubEmulatorOptions()) with { Tokens = [TestForges.Token] });
        var config = TestForges.Forge(emulator.ApiUrl, auth: auth);
        var forge = TestForges.Create(config, TestForges.Fleet(config, pools ?? [TestForges.Pool("linux", _repo, ["linux", "x64"])]), time);
        return (emulator, forge);
    }

    [Fact]
    public async Task MintRunnerCredential_EphemeralPool_JitConfigForARunnerWithThePoolsLabelsAndGroup()
    {
        var pool = TestForges.Pool("linux", _repo, ["linux", "x64"]) with { ForgeSettings = new GitHubPoolSettings(3) };
        var (emulator, forge) = await StartAsync(pools: [pool]);
        await using var _ = emulator;
        using var __ = forge;

        var credential = await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);

        Assert.Equal("jit-config", credential.Kind);
        Assert.DoesNotContain(credential.Reveal(), credential.ToString(), StringComparison.Ordinal);
        var runner = Assert.Single(emulator.Runners());
        Assert.Equal(("drover-linux-1", "/repos/acme/api", 3L), (runner.Name, runner.Scope, runner.GroupId));
        Assert.Equal(["linux", "x64"], runner.Labels);
        Assert.Contains("POST /repos/acme/api/actions/runners/generate-jitconfig 201", emulator.Requests);
    }

    [Fact]
    public async Task MintRunnerCredential_AnswerLostAfterTheMint_RetryRemovesTheUnusableRegistrationAndMintsAgain()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        emulator.Faults.LoseAnswerNext = 1;

        // The first mint reaches GitHub but its answer is lost; the engine's call policy then calls again.
        await Assert.ThrowsAnyAsync<GitHubApiException>(() => forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None));
        var lost = Assert.Single(emulator.Runners());
        var credential = await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);

        Assert.Equal("jit-config", credential.Kind);
        var runner = Assert.Single(emulator.Runners());
        Assert.Equal("drover-linux-1", runner.Name);
        Assert.NotEqual(lost.Id, runner.Id);
        Assert.Contains($"DELETE /repos/acme/api/actions/runners/{lost.Id} 204", emulator.Requests);
    }

    [Fact]
    public async Task MintRunnerCredential_NameTakenByARunnerOnAJob_IsBusy_NothingDeleted()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);
        Assert.Single(emulator.Runners()).JobId = 42;

        var refused = await Assert.ThrowsAnyAsync<GitHubApiException>(() => forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None));

        Assert.Equal(CallFailureKind.Busy, refused.FailureKind);
        Assert.Single(emulator.Runners());
        Assert.DoesNotContain(emulator.Requests, r => r.StartsWith("DELETE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MintRunnerCredential_GroupInTheDeprecatedFlatSetting_StillJoinsThatGroup()
    {
        var pool = TestForges.Pool("linux", _repo, ["linux", "x64"]) with { Template = new InstanceTemplate { Settings = new Dictionary<string, string> { [GitHubForgeOptions.RunnerGroupSetting] = "4" } } };
        var (emulator, forge) = await StartAsync(pools: [pool]);
        await using var _ = emulator;
        using var __ = forge;

        await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);

        Assert.Equal(4L, Assert.Single(emulator.Runners()).GroupId);
    }

    [Fact]
    public async Task MintRunnerCredential_PersistentPool_RegistrationToken()
    {
        var (emulator, forge) = await StartAsync(pools: [TestForges.Pool("big", new PoolScope(ScopeKind.Organization, "acme"), ["big"], ephemeral: false)]);
        await using var _ = emulator;
        using var __ = forge;

        var credential = await forge.MintRunnerCredentialAsync("big", "drover-big-1", CancellationToken.None);

        Assert.Equal("registration-token", credential.Kind);
        Assert.Contains("POST /orgs/acme/actions/runners/registration-token 201", emulator.Requests);
    }

    [Fact]
    public async Task MintRunnerCredential_EnterpriseServerBaseUrl_CallsUnderApiV3()
    {
        var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { PathPrefix = "/api/v3" });
        await using var _ = emulator;
        using var __ = forge;

        await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);

        Assert.Contains("POST /api/v3/repos/acme/api/actions/runners/generate-jitconfig 201", emulator.Requests);
    }

    [Fact]
    public async Task ListRunners_SeveralPages_EveryOwnedRunnerAndNoOtherOne()
    {
        var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { MaxPerPage = 2 });
        await using var _ = emulator;
        using var __ = forge;
        for (var i = 1; i <= 5; i++)
        {
            emulator.AddRunner("/repos/acme/api", $"drover-linux-{i}", ["linux"], online: i % 2 == 0);
        }

        emulator.AddRunner("/repos/acme/api", "someone-elses-runner", ["linux"], online: true);

        var runners = await forge.ListRunnersAsync(CancellationToken.None);

        Assert.Equal(["drover-linux-1", "drover-linux-2", "drover-linux-3", "drover-linux-4", "drover-linux-5"], runners.Select(r => r.Name));
        Assert.Equal([false, true, false, true, false], runners.Select(r => r.Online));
        Assert.Equal(3, emulator.Requests.Count(r => r.StartsWith("GET /repos/acme/api/actions/runners", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Unregister_BusyRunner_RefusedAndLeftInPlace_IdleRunnerRemoved_GoneRunnerSucceeds()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var credential = await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);
        emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromSeconds(30)));
        using var stop = new CancellationTokenSource();
        var runner = StandInRunner.RunAsync(credential.Reveal(), stop.Token);
        await Eventually.TrueAsync(() => emulator.Runners().Any(r => r.Busy), "the stand-in runner takes the job", TimeSpan.FromSeconds(10), seen: () => $"{emulator.Runners().Count(r => r.Busy)} of {emulator.Runners().Count} runners busy");
        var id = emulator.Runners().Single().Id.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var e = await Assert.ThrowsAsync<GitHubRunnerBusyException>(() => forge.UnregisterAsync(id, CancellationToken.None));
        Assert.Contains("still running a job", e.Message, StringComparison.Ordinal);
        Assert.Single(emulator.Runners());

        var idle = emulator.AddRunner("/repos/acme/api", "drover-linux-2", ["linux"]);
        await forge.UnregisterAsync(idle.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        await forge.UnregisterAsync(idle.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None);
        Assert.DoesNotContain(emulator.Runners(), r => r.Id == idle.Id);
    }

    [Fact]
    public async Task Calls_ServerError_GitHubApiExceptionWithStatusAndCallNoCredential()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        emulator.Faults.FailNext = 1;

        var e = await Assert.ThrowsAsync<GitHubApiException>(() => forge.ListRunnersAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadGateway, e.Status);
        Assert.Contains("GET /repos/acme/api/actions/runners", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(TestForges.Token, e.Message, StringComparison.Ordinal);
        Assert.Empty(await forge.ListRunnersAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Calls_PrimaryLimitSpent_NothingSentUntilTheReset()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { Time = time }, time: time);
        await using var _ = emulator;
        using var __ = forge;
        await forge.ListRunnersAsync(CancellationToken.None);
        Assert.Equal(4999, forge.RateLimitRemaining);
        emulator.SetRateLimit(0, time.GetUtcNow().AddMinutes(10));
        emulator.Faults.RateLimitNext = 1;

        await Assert.ThrowsAsync<GitHubRateLimitedException>(() => forge.ListRunnersAsync(CancellationToken.None));
        var sent = emulator.Requests.Count;
        for (var i = 0; i < 20; i++)
        {
            var limited = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => forge.MintRunnerCredentialAsync("linux", $"drover-linux-{i}", CancellationToken.None));
            Assert.True(limited.Until > time.GetUtcNow());
        }

        Assert.Equal(sent, emulator.Requests.Count);
        Assert.Equal(0, forge.RateLimitRemaining);

        time.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        await forge.ListRunnersAsync(CancellationToken.None);
        Assert.Equal(sent + 1, emulator.Requests.Count);
    }

    [Fact]
    public async Task Calls_SecondaryLimitWithRetryAfter_HeldForThatLongThenResumed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { Time = time }, time: time);
        await using var _ = emulator;
        using var __ = forge;
        emulator.Faults.RateLimitNext = 1;
        emulator.Faults.RateLimitStatus = HttpStatusCode.TooManyRequests;
        emulator.Faults.RetryAfter = TimeSpan.FromSeconds(60);

        var e = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(time.GetUtcNow().AddSeconds(60), e.Until);
        await Assert.ThrowsAsync<GitHubRateLimitedException>(() => forge.ListRunnersAsync(CancellationToken.None));
        Assert.Single(emulator.Requests);

        time.Advance(TimeSpan.FromSeconds(58));

        // Two seconds left: within the longest wait, so the call waits for the hold to end instead of failing.
        var waiting = forge.ListRunnersAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(2));
        await waiting;
        Assert.Equal(2, emulator.Requests.Count);
    }

    [Fact]
    public async Task AppAuth_ManyConcurrentCalls_OneTokenExchange_RefreshedBeforeExpiry()
    {
        using var key = RSA.Create(2048);
        var pem = Path.GetTempFileName();
        await File.WriteAllTextAsync(pem, key.ExportRSAPrivateKeyPem());
        try
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var auth = new ForgeAuth { AppId = 4242, InstallationId = 77, PrivateKey = new SecretRef(SecretSource.File, pem) };
            var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { AppKey = key, Time = time }, time: time, auth: auth);
            await using var _ = emulator;
            using var __ = forge;

            await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => forge.ListRunnersAsync(CancellationToken.None)));
            Assert.Equal(1, emulator.TokenExchanges);
            Assert.Equal(1, ((AppInstallationAuth)forge.Auth).Exchanges);

            time.Advance(TimeSpan.FromMinutes(50));
            await forge.ListRunnersAsync(CancellationToken.None);
            Assert.Equal(1, emulator.TokenExchanges);

            time.Advance(TimeSpan.FromMinutes(6));
            await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => forge.ListRunnersAsync(CancellationToken.None)));
            Assert.Equal(2, emulator.TokenExchanges);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public async Task AppAuth_KeyOfAnotherApp_ErrorSaysTheJwtWasRefused()
    {
        using var key = RSA.Create(2048);
        using var other = RSA.Create(2048);
        var pem = Path.GetTempFileName();
        await File.WriteAllTextAsync(pem, other.ExportRSAPrivateKeyPem());
        try
        {
            var auth = new ForgeAuth { AppId = 4242, InstallationId = 77, PrivateKey = new SecretRef(SecretSource.File, pem) };
            var (emulator, forge) = await StartAsync(new GitHubEmulatorOptions { AppKey = key }, auth: auth);
            await using var _ = emulator;
            using var __ = forge;

            var e = await Assert.ThrowsAsync<GitHubApiException>(() => forge.ListRunnersAsync(CancellationToken.None));
            Assert.Equal(HttpStatusCode.Unauthorized, e.Status);
            Assert.Contains("/app/installations/77/access_tokens", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(pem);
        }
    }

    [Fact]
    public void Create_IncompleteAuth_ErrorSaysWhatIsNeeded()
    {
        var config = TestForges.Forge(auth: new ForgeAuth { AppId = 1 });
        var e = Assert.Throws<InvalidOperationException>(() => TestForges.Create(config, TestForges.Fleet(config)));
        Assert.Contains("forge 'github': auth needs either token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RateLimitGauge_ExportedWithTheEnginesInstruments()
    {
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        await using var _ = emulator;
        using var metrics = new EngineMetrics();
        using var exporter = new PrometheusExporter(metrics.Meter);
        var config = TestForges.Forge(emulator.ApiUrl);
        var fleet = TestForges.Fleet(config, TestForges.Pool("linux", _repo, ["linux"]));
        var context = new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, NullLoggerFactory.Instance) { Metrics = metrics };
        using var forge = GitHubForgeFactory.Create(config, context, GitHubForgeOptions.Default with { Environment = n => TestForges.Environment.GetValueOrDefault(n) });
        Assert.DoesNotContain("drover_forge_rate_limit_remaining{", exporter.Render(), StringComparison.Ordinal);

        await forge.ListRunnersAsync(CancellationToken.None);

        Assert.Contains("drover_forge_rate_limit_remaining{forge=\"github\"} 4999", exporter.Render(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Poll_UnchangedRepository_ConditionalRequestsCostNoRateLimit_NewAndFinishedJobsReported()
    {
        var (emulator, forge) = await StartAsync();
        await using var _ = emulator;
        using var __ = forge;
        var jobs = emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromMilliseconds(10)), ("test", ["linux", "x64"], TimeSpan.FromMilliseconds(10)));
        var events = new List<JobEvent>();

        Assert.Equal(2, await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None));
        Assert.All(events, e => Assert.Equal((JobEventKind.Queued, "acme/api"), (e.Kind, e.Scope)));
        Assert.Equal(jobs.Select(j => j.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e.Key.Id).Order());
        var remaining = forge.RateLimitRemaining;

        Assert.Equal(0, await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None));
        Assert.Equal(remaining, forge.RateLimitRemaining);
        Assert.True(emulator.NotModified >= 3, $"{emulator.NotModified} 304s");

        var credential = await forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);
        Assert.NotNull(await StandInRunner.RunAsync(credential.Reveal(), CancellationToken.None));
        events.Clear();
        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        var done = Assert.Single(events);
        Assert.Equal(JobEventKind.Completed, done.Kind);
        Assert.Equal("drover-linux-1", done.RunnerName);
        Assert.Equal(1, forge.Poller.Tracked);
    }

    [Fact]
    public async Task Poll_OrganizationScope_ListsItsRepositories()
    {
        var (emulator, forge) = await StartAsync(pools: [TestForges.Pool("org", new PoolScope(ScopeKind.Organization, "acme"), ["linux"])]);
        await using var _ = emulator;
        using var __ = forge;
        emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.Zero));
        emulator.QueueRun("acme/web", ("build", ["linux"], TimeSpan.Zero));
        emulator.QueueRun("other/repo", ("build", ["linux"], TimeSpan.Zero));
        var events = new List<JobEvent>();

        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        Assert.Equal(["acme/api", "acme/web"], events.Select(e => e.Scope!).Order(StringComparer.Ordinal));
    }
}
