using System.Diagnostics;
using System.Globalization;
using System.Net;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.ScaleSets;
using Drover.Testing;
using Drover.Testing.GitHub;

namespace Drover.Forges.GitHub.Tests.ScaleSets;

/// <summary>
/// The scale-set listener and the forge's scale-set runner calls against the emulated Actions service, one protocol
/// edge each: registration and adoption, messages into the ledger with the cursor stored, session conflict, eviction,
/// token expiry, duplicate JIT names, busy removal, a lost acknowledgement, 429 with Retry-After, and the session closed
/// when the term ends.
/// </summary>
public sealed class ScaleSetListenerTests
{
    private static readonly TimeSpan _jobTime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Start_NoScaleSet_RegistersItInTheNamedRunnerGroupWithItsNameAndEveryPoolLabel()
    {
        await using var h = await ScaleSetHarness.StartAsync(null, ScaleSetHarness.Pool("gpu", ["linux", "gpu", "self-hosted"], "gpu-set", runnerGroup: "ci"));
        var group = h.Emulator.AddRunnerGroup("ci");
        h.StartTerm();

        var set = await h.ListeningAsync("gpu");

        Assert.Equal("gpu-set", set.Name);
        Assert.Equal(group, set.RunnerGroupId);
        Assert.Equal(["gpu-set", "linux", "gpu"], set.Labels);
        Assert.Equal(["gpu-set", "linux", "gpu", "self-hosted"], h.Fleet.Pools[0].Labels);
        Assert.Single(h.Emulator.ScaleSets());
    }

    [Fact]
    public async Task Start_ScaleSetExistsWithOtherLabels_AdoptedAndBroughtInLineWithThePool_NotCreatedAgain()
    {
        await using var h = await ScaleSetHarness.StartAsync(null, ScaleSetHarness.Pool("linux", ["linux", "x64"], "linux-set"));
        var existing = h.Emulator.AddScaleSet("/orgs/acme", "linux-set", ["old"]);
        h.StartTerm();

        var set = await h.ListeningAsync();

        Assert.Equal(existing.Id, set.Id);
        Assert.Equal(["linux-set", "linux", "x64"], set.Labels);
        Assert.Single(h.Emulator.ScaleSets());
    }

    [Fact]
    public async Task Messages_JobsOfTheSet_ReachTheLedgerOnce_MessageAndCursorStored_Acknowledged()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        var set = await h.ListeningAsync();

        var jobs = h.Emulator.QueueRun("acme/api", ("a", ["linux-set"], _jobTime), ("b", ["self-hosted", "linux-set"], _jobTime), ("other", ["windows"], _jobTime));

        await Eventually.TrueAsync(() => h.Events.Count(e => e.Kind == JobEventKind.Queued) == 2, "two queued events");
        var queued = h.Events.Where(e => e.Kind == JobEventKind.Queued).ToList();
        Assert.Equal([jobs[0], jobs[1]], queued.Select(e => long.Parse(e.Key.Id, CultureInfo.InvariantCulture)));
        Assert.All(queued, e => Assert.Equal(["linux-set"], e.Labels));
        Assert.All(queued, e => Assert.Equal("acme/api", e.Scope));
        var cursor = await Eventually.ThatAsync(() => h.Store.GetForgeCursorAsync("github", $"scaleset:{set.Id}", CancellationToken.None), c => c is > 0, "the cursor stored");
        await Eventually.TrueAsync(() => h.Emulator.ScaleSets()[0].Acknowledged.Contains(cursor!.Value), "the message acknowledged");
        var delivery = await h.Store.GetDeliveryAsync("github", $"scaleset-{set.Id}-{cursor}", CancellationToken.None);
        Assert.NotNull(delivery);
        Assert.Equal(2, (await h.Forge.InterpretAsync(delivery, CancellationToken.None)).Count);
        Assert.Equal(2, h.Listener().Statistics!.AssignedJobs);
    }

    [Fact]
    public async Task Session_AnotherHolderHasIt_Waits_NeverTakesItOver_GetsItOnceReleased()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        var set = h.Emulator.AddScaleSet("/orgs/acme", "linux-set", ["linux"]);
        Assert.True(h.Emulator.OpenSession(set.Id, "other-controller"));
        h.StartTerm();

        await Eventually.TrueAsync(() => h.Listener().State.StartsWith("waiting", StringComparison.Ordinal), "the listener waiting", seen: () => h.Listener().State);
        await Eventually.TrueAsync(() => h.Emulator.ActionsRequests.Count(r => r.Contains("/sessions?", StringComparison.Ordinal) && r.EndsWith(" 409", StringComparison.Ordinal)) >= 2, "asked again after a conflict");
        Assert.Equal("other-controller", h.Emulator.ScaleSets()[0].Session!.Owner);
        Assert.Equal(ComponentStatus.Degraded, h.Forge.Health().Status);

        h.Emulator.CloseSession(set.Id);
        await h.ListeningAsync();

        Assert.Equal(["other-controller", "replica-a"], h.Emulator.ScaleSets()[0].SessionOwners);
    }

    [Fact]
    public async Task Session_EvictedByTheBroker_OpensANewOne_JobsAfterwardsStillArrive()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        var set = await h.ListeningAsync();

        h.Emulator.EvictSession(set.Id);
        await Eventually.TrueAsync(() => h.Emulator.ScaleSets()[0].SessionOwners.Count == 2 && h.Emulator.ScaleSets()[0].Session is not null, "a second session");
        var job = h.Emulator.QueueRun("acme/api", ("after", ["linux-set"], _jobTime)).Single();

        await Eventually.TrueAsync(() => h.Events.Any(e => e.Key.Id == job.ToString(CultureInfo.InvariantCulture)), "the job after the eviction");
    }

    [Fact]
    public async Task Tokens_QueueAndAdminTokensExpire_RefreshedAndExchangedAgain_NothingLost()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        var set = await h.ListeningAsync();

        h.Emulator.ExpireQueueTokens();
        var job = h.Emulator.QueueRun("acme/api", ("late", ["linux-set"], _jobTime)).Single();
        await Eventually.TrueAsync(() => h.Events.Any(e => e.Key.Id == job.ToString(CultureInfo.InvariantCulture)), "the job after the queue token expired");
        // A long poll already in flight when the token expired may still bring the job; the next poll is refused and
        // the session's token refreshed.
        await Eventually.TrueAsync(
            () => h.Emulator.ActionsRequests.Any(r => r.Contains(" /_broker/", StringComparison.Ordinal) && r.EndsWith(" 401", StringComparison.Ordinal))
                && h.Emulator.ActionsRequests.Any(r => r.StartsWith($"PATCH /_actions/tenant/_apis/runtime/runnerscalesets/{set.Id}/sessions/", StringComparison.Ordinal) && r.EndsWith(" 200", StringComparison.Ordinal)),
            "a poll refused with 401 and the session's token refreshed",
            seen: () => string.Join(", ", h.Emulator.ActionsRequests.TakeLast(6)));

        h.Emulator.ExpireAdminTokens();
        var exchanges = h.Emulator.ActionsRequests.Count(r => r.StartsWith("POST /actions/runner-registration", StringComparison.Ordinal));
        var jit = await h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None);
        Assert.Equal("jit-config", jit.Kind);
        Assert.Equal(exchanges + 1, h.Emulator.ActionsRequests.Count(r => r.StartsWith("POST /actions/runner-registration", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Mint_AnswerLostThenSameName_Conflict_UnusedRegistrationRemovedAndMintedAgain()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        await h.ListeningAsync();

        h.Emulator.ActionsFaults.LoseAnswerNext = 1;
        await Assert.ThrowsAnyAsync<GitHubApiException>(() => h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-7", CancellationToken.None));
        var jit = await h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-7", CancellationToken.None);

        Assert.Contains(h.Emulator.ActionsRequests, r => r.Contains("/generatejitconfig", StringComparison.Ordinal) && r.EndsWith(" 409", StringComparison.Ordinal));
        Assert.Equal(2, h.Emulator.Minted.Count(m => m.Name == "drover-linux-7"));
        var runner = Assert.Single(h.Emulator.Runners(), r => r.Name == "drover-linux-7");
        Assert.Equal(h.Emulator.ScaleSets()[0].Id, runner.ScaleSetId);
        Assert.Equal("jit-config", jit.Kind);
    }

    [Fact]
    public async Task Mint_NameOfABusyRunner_RefusedAsBusy_ItsRunnerKept()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        await h.ListeningAsync();
        h.Emulator.QueueRun("acme/api", ("long", ["linux-set"], TimeSpan.FromMinutes(5)));
        var (_, _, job) = await h.RunnerTakesJobAsync(await h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-3", CancellationToken.None));
        Assert.NotNull(job);

        var busy = await Assert.ThrowsAsync<GitHubRunnerBusyException>(() => h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-3", CancellationToken.None));

        Assert.Equal(CallFailureKind.Busy, CallFailures.Classify(busy).Kind);
        Assert.Single(h.Emulator.Runners(), r => r.Name == "drover-linux-3");
    }

    [Fact]
    public async Task Unregister_RunnerStillRunsAJob_RefusedAsBusy_RemovedOnceIdle()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        await h.ListeningAsync();
        h.Emulator.QueueRun("acme/api", ("one", ["linux-set"], TimeSpan.FromMinutes(5)));
        var (runnerId, secret, job) = await h.RunnerTakesJobAsync(await h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-1", CancellationToken.None));
        var idle = await h.RunnerTakesJobAsync(await h.Forge.MintRunnerCredentialAsync("linux", "drover-linux-2", CancellationToken.None));
        Assert.Null(idle.JobId);
        var listed = await h.Forge.ListRunnersAsync(CancellationToken.None);
        Assert.Equal(["drover-linux-1", "drover-linux-2"], listed.Select(r => r.Name).Order());
        Assert.True(listed.Single(r => r.Name == "drover-linux-1").Busy);
        var id = runnerId.ToString(CultureInfo.InvariantCulture);

        var refused = await Assert.ThrowsAsync<GitHubRunnerBusyException>(() => h.Forge.UnregisterAsync(id, CancellationToken.None));
        Assert.Equal(CallFailureKind.Busy, CallFailures.Classify(refused).Kind);
        Assert.Contains(h.Emulator.Runners(), r => r.Id == runnerId);
        await h.Forge.UnregisterAsync(idle.RunnerId.ToString(CultureInfo.InvariantCulture), CancellationToken.None);
        Assert.DoesNotContain(h.Emulator.Runners(), r => r.Id == idle.RunnerId);

        await h.CompleteAsync(runnerId, secret, job!.Value);
        await h.Forge.UnregisterAsync(id, CancellationToken.None);
        Assert.DoesNotContain(h.Emulator.Runners(), r => r.Id == runnerId);
    }

    [Fact]
    public async Task Acknowledgement_Lost_NewLeaderGetsTheMessageAgain_HandledOnce()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        var set = await h.ListeningAsync();
        h.Emulator.ActionsFaults.FailNext = 0;

        // The acknowledgement of the job's message fails: the poll in flight is answered, the DELETE that follows is not.
        await Eventually.TrueAsync(() => h.Emulator.ScaleSets()[0].Session!.Polling > 0, "a poll in flight");
        h.Emulator.ActionsFaults.FailNext = 1;
        var job = h.Emulator.QueueRun("acme/api", ("once", ["linux-set"], _jobTime)).Single().ToString(CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(() => h.Emulator.ActionsRequests.Any(r => r.StartsWith("DELETE /_broker/", StringComparison.Ordinal) && !r.EndsWith(" 204", StringComparison.Ordinal)), "the acknowledgement failed");
        Assert.Empty(h.Emulator.ScaleSets()[0].Acknowledged);

        // The leader goes; the next one resumes from the stored cursor and is handed the unacknowledged message again.
        await h.EndTermAsync();
        h.ReplaceForge("replica-b");
        h.StartTerm();
        await Eventually.TrueAsync(() => h.Emulator.ScaleSets()[0].Acknowledged.Count == 1, "the message acknowledged by the new leader", seen: () => string.Join(", ", h.Emulator.ActionsRequests.TakeLast(5)));

        Assert.Single(h.Events, e => e.Key.Id == job);
        Assert.Single(h.Emulator.ActionsRequests, r => r.StartsWith("GET /_broker/", StringComparison.Ordinal) && r.Contains("lastMessageId=", StringComparison.Ordinal) && r.Contains("/" + h.Emulator.ScaleSets()[0].Session!.Id, StringComparison.Ordinal) && r.EndsWith(" 200", StringComparison.Ordinal));
        Assert.Equal(["replica-a", "replica-b"], h.Emulator.ScaleSets()[0].SessionOwners);
        Assert.NotNull(set);
    }

    [Fact]
    public async Task Failures_RateLimitedWithRetryAfter_WaitsAtLeastThatLong_ThenListens()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.Emulator.ActionsFaults.RateLimitNext = 1;
        h.Emulator.ActionsFaults.RetryAfter = TimeSpan.FromSeconds(2);
        var clock = Stopwatch.StartNew();
        h.StartTerm();

        await h.ListeningAsync();

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"listening after {clock.Elapsed.TotalSeconds:0.00} s, before the 2 s Retry-After");
        Assert.Contains(h.Emulator.ActionsRequests, r => r.EndsWith(" 429", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Failures_ServerErrors_BackOffAndRecover_HealthSaysWhichSetFailed()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.Emulator.ActionsFaults.FailNext = 2;
        h.Emulator.ActionsFaults.ErrorStatus = HttpStatusCode.ServiceUnavailable;
        h.StartTerm();

        await Eventually.TrueAsync(() => h.Listener().State.StartsWith("failing", StringComparison.Ordinal), "the listener failing", seen: () => h.Listener().State);
        Assert.Contains("scaleSet.linux-set", h.Forge.Health().Details.Keys);
        await h.ListeningAsync();
        Assert.Equal(2, h.Emulator.ActionsRequests.Count(r => r.EndsWith(" 503", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Shutdown_TermEnds_SessionClosedAtGitHub_ScaleSetKept()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        h.StartTerm();
        var set = await h.ListeningAsync();

        await h.EndTermAsync();

        Assert.Null(h.Emulator.ScaleSets().Single().Session);
        Assert.Equal(set.Id, h.Emulator.ScaleSets().Single().Id);
        Assert.Equal("closed", h.Listener().State);
    }

    [Fact]
    public async Task Delete_PoolAsksForIt_ScaleSetDeleted_NoSessionOpened()
    {
        await using var h = await ScaleSetHarness.StartAsync(null, ScaleSetHarness.Pool("linux", ["linux"], "linux-set") with
        {
            ForgeSettings = new GitHubPoolSettings(1) { ScaleSet = new ScaleSetSettings("linux-set", "default", Delete: true) },
        });
        h.Emulator.AddScaleSet("/orgs/acme", "linux-set", ["linux"]);
        h.StartTerm();

        await Eventually.TrueAsync(() => h.Listener().State == "deleted", "the scale set deleted", seen: () => h.Listener().State);

        Assert.Empty(h.Emulator.ScaleSets());
        Assert.DoesNotContain(h.Emulator.ActionsRequests, r => r.Contains("/sessions", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_PoolLabelsLackTheScaleSetName_RefusedSayingWhichPoolAndWhy()
    {
        await using var h = await ScaleSetHarness.StartAsync();
        var fleet = h.Fleet with { Pools = [h.Fleet.Pools[0] with { Labels = ["linux"] }] };
        var context = new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance);

        var refused = Assert.Throws<AdapterConfigurationException>(() => new GitHubModule(GitHubForgeOptions.Default with { Environment = n => Support.TestForges.Environment.GetValueOrDefault(n) }).Create(fleet.Forges[0], context));

        Assert.Contains("pool 'linux': its labels must include its scale set's name 'linux-set'", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigUrl_GitHubComGhesAndEmulator_WebUrlOfTheScope()
    {
        Assert.Equal("https://github.com/acme", ActionsServiceClient.ConfigUrlOf(new Uri("https://api.github.com"), ScaleSetHarness.Org));
        Assert.Equal("https://ghe.example.com/acme/api", ActionsServiceClient.ConfigUrlOf(new Uri("https://ghe.example.com/api/v3"), new Core.Config.PoolScope(Core.Config.ScopeKind.Repository, "acme/api")));
        Assert.Equal("https://octo.ghe.com/enterprises/big", ActionsServiceClient.ConfigUrlOf(new Uri("https://api.octo.ghe.com"), new Core.Config.PoolScope(Core.Config.ScopeKind.Enterprise, "big")));
    }
}
