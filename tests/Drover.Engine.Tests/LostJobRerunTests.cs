using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;

namespace Drover.Engine.Tests;

/// <summary>Jobs lost with their runner's instance are re-run by the forge, at most <c>lostJobReruns</c> times.</summary>
public sealed class LostJobRerunTests
{
    /// <summary>Queues a job (or takes <paramref name="key"/>), lets a new runner take it, and returns the job and its runner.</summary>
    private static async Task<(JobKey Job, Runner Runner)> BusyRunnerAsync(LoopHarness h, JobKey? key = null)
    {
        var job = key ?? h.Queue();
        if (key is { } given)
        {
            h.Loop.Ingest(new JobEvent { Key = given, Kind = JobEventKind.Queued, At = h.Time.GetUtcNow(), Labels = ["linux"], Scope = "acme/app" });
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = (await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None)).Single(r => r.State == RunnerState.Provisioning);
        h.Time.Advance(TimeSpan.FromSeconds(20));
        h.Forge.Register(runner.Id, busy: true);
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);
        runner = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!;
        Assert.Equal((RunnerState.Busy, job), (runner.State, runner.Job));
        return (job, runner);
    }

    private static async Task<IReadOnlyList<StoredEvent>> EventsAsync(LoopHarness h, string kind) =>
        [.. (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Where(e => e.Kind == kind)];

    [Fact]
    public async Task SpotInterruptionUnderAJob_RunnerFailed_ExactlyOneRerunAskedOfTheForge()
    {
        await using var h = await LoopHarness.CreateAsync();
        var (job, runner) = await BusyRunnerAsync(h);

        h.Provider.Lose(runner.InstanceId!, "spot interruption: the instance was reclaimed");
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            h.Time.Advance(TimeSpan.FromMinutes(1));
            await h.Loop.RunCycleAsync(CancellationToken.None);
        }

        Assert.Equal([job], h.Forge.Reruns);
        var failed = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!;
        Assert.Contains("spot interruption", failed.FailureReason, StringComparison.Ordinal);
        var rerun = Assert.Single(await h.Store.ListJobRerunsAsync(null, CancellationToken.None));
        Assert.Equal((job, JobRerunState.Requested, 1, job.Id + "-r", runner.Id, runner.InstanceId), (rerun.Job, rerun.State, rerun.Attempt, rerun.NewJobId, rerun.RunnerId, rerun.InstanceId));
        Assert.Equal(("acme/app", "linux"), (rerun.Scope, rerun.Pool));
        var lost = Assert.Single(await EventsAsync(h, EventKinds.JobLost));
        Assert.Equal(job.ToString(), lost.Subject);
        Assert.Contains("re-run 1 of at most 2", lost.Message, StringComparison.Ordinal);
        Assert.Single(await EventsAsync(h, EventKinds.JobRerunRequested));
    }

    [Fact]
    public async Task LostBeforeAnyNewsOfItsJob_JobReportedLater_ExactlyOneRerun()
    {
        // The runner took a job whose queued-to-running news was lost, and its instance was taken away before any
        // observation saw it busy: Drover fails it as lost with no job known. A poll later reports the job, failed by
        // the forge on that runner; the job is still re-run, once.
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = (await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None)).Single();
        h.Provider.Lose(runner.InstanceId!, "killed by signal 9 (SIGKILL)");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var failed = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!;
        Assert.Equal((RunnerState.Failed, null), (failed.State, failed.Job));
        Assert.Equal(h.Time.GetUtcNow(), failed.LostAt);
        Assert.Empty(h.Forge.Reruns);

        // Two minutes of cycles: the lost runner is kept (its job may yet be reported), its replacement is made.
        for (var i = 0; i < 4; i++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(30));
            await h.Loop.RunCycleAsync(CancellationToken.None);
        }

        Assert.Equal(RunnerState.Failed, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.Contains(await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None), r => r.Id != runner.Id && r.IsActive);

        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal([job], h.Forge.Reruns);
        var lost = Assert.Single(await EventsAsync(h, EventKinds.JobLost));
        Assert.Contains($"job {job} found on runner {runner.Id}", lost.Message, StringComparison.Ordinal);
        Assert.Equal(job, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.Job);

        // Named once, the runner is cleaned up as any failed one.
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.NotEqual(RunnerState.Failed, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.Equal([job], h.Forge.Reruns);
    }

    [Fact]
    public async Task LostWithNoJobKnownAndNoneQueued_CleanedUpAtOnce()
    {
        // Nothing is queued in its pool, so it cannot have taken a job unseen: it is not kept.
        await using var h = await LoopHarness.CreateAsync(idle: 1);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = (await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None)).Single();
        h.Provider.Lose(runner.InstanceId!, "Evicted: the node was low on memory");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.NotNull((await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.LostAt);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.NotEqual(RunnerState.Failed, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.DoesNotContain(h.Provider.Instances, i => i.InstanceId == runner.InstanceId);
    }

    [Fact]
    public async Task ShutdownRightAfterALoss_LostRunnersAreLeftForTheNextLeader_TheJobIsStillReRun()
    {
        // Host-bound instances: a shutdown ends idle and booting runners. One runner's instance was lost before any cycle
        // saw it, another's was seen lost with its job unknown; neither is ended, so the next process still sees the loss.
        await using var h = await LoopHarness.CreateAsync();
        h.Provider.InstancesAreHostBound = true;
        var first = h.Queue();
        var second = h.Queue();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runners = await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None);
        Assert.Equal(3, runners.Count);
        h.Provider.Lose(runners[0].InstanceId!, "killed by signal 9 (SIGKILL)");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Provider.Lose(runners[1].InstanceId!, "killed by signal 9 (SIGKILL)");

        var ended = await h.Loop.DrainForShutdownAsync(CancellationToken.None);

        Assert.Equal(RunnerState.Failed, (await h.Store.GetRunnerAsync(runners[0].Id, CancellationToken.None))!.State);
        Assert.NotEqual(RunnerState.Gone, (await h.Store.GetRunnerAsync(runners[1].Id, CancellationToken.None))!.State);
        Assert.Contains(h.Provider.Instances, i => i.InstanceId == runners[0].InstanceId);
        Assert.Contains(h.Provider.Instances, i => i.InstanceId == runners[1].InstanceId);
        Assert.DoesNotContain(h.Provider.Instances, i => i.InstanceId == runners[2].InstanceId);
        Assert.True(ended >= 1);

        // The next process: the forge reports which jobs the lost runners ran; both are re-run.
        var next = h.NewLoop();
        await next.StartAsync(CancellationToken.None);
        next.Ingest(new JobEvent { Key = first, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow(), RunnerName = runners[0].Id });
        next.Ingest(new JobEvent { Key = second, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow(), RunnerName = runners[1].Id });
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await next.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await next.RunCycleAsync(CancellationToken.None);

        Assert.Equal([first.Id, second.Id], h.Forge.Reruns.Select(j => j.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task LostWithNoJobEverReported_CleanedUpAfterTheWindow_NoRerun()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = (await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None)).Single();
        h.Provider.Lose(runner.InstanceId!, "spot interruption");
        await h.Loop.RunCycleAsync(CancellationToken.None);

        h.Time.Advance(ObservationRules.LostJobIdentificationWindow - TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Failed, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.NotEqual(RunnerState.Failed, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.DoesNotContain(h.Provider.Instances, i => i.InstanceId == runner.InstanceId);
        Assert.Empty(h.Forge.Reruns);
        Assert.Empty(await EventsAsync(h, EventKinds.JobLost));
    }

    [Fact]
    public async Task InstanceFailedOnItsOwnUnderAJob_NoRerun()
    {
        await using var h = await LoopHarness.CreateAsync();
        var (job, runner) = await BusyRunnerAsync(h);

        h.Provider.Fail(runner.InstanceId!, "Error: exit code 1");
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        h.Forge.Remove(runner.Id);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Empty(h.Forge.Reruns);
        Assert.Empty(await h.Store.ListJobRerunsAsync(null, CancellationToken.None));
        Assert.Empty(await EventsAsync(h, EventKinds.JobLost));
    }

    [Fact]
    public async Task ReRunLostAgain_CountsAgainstTheSameLimit_CappedWithoutASecondCall()
    {
        await using var h = await LoopHarness.CreateAsync(pool: "lostJobReruns: 1");
        var (job, runner) = await BusyRunnerAsync(h);
        h.Provider.Lose(runner.InstanceId!, "node lost");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal([job], h.Forge.Reruns);

        // The forge queues the re-run under a new id; a new runner takes it, and its instance is lost too.
        var (again, second) = await BusyRunnerAsync(h, new JobKey("github", job.Id + "-r"));
        h.Provider.Lose(second.InstanceId!, "node lost");
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal([job], h.Forge.Reruns);
        var capped = (await h.Store.ListJobRerunsAsync(JobRerunState.Capped, CancellationToken.None)).Single();
        Assert.Equal((again, job.Id), (capped.Job, capped.OriginJobId));
        Assert.Contains("lostJobReruns: 1", Assert.Single(await EventsAsync(h, EventKinds.JobLost), e => e.Subject == again.ToString()).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PoolOptedOut_LostJobRecordedButNotReRun()
    {
        await using var h = await LoopHarness.CreateAsync(pool: "lostJobReruns: 0");
        var (job, runner) = await BusyRunnerAsync(h);

        h.Provider.Lose(runner.InstanceId!, "Evicted: the node was low on memory");
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Empty(h.Forge.Reruns);
        Assert.Contains("Evicted", (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.FailureReason, StringComparison.Ordinal);
        var rerun = Assert.Single(await h.Store.ListJobRerunsAsync(null, CancellationToken.None));
        Assert.Equal((job, JobRerunState.Disabled), (rerun.Job, rerun.State));
    }

    [Fact]
    public async Task ForgeCannotYet_AskedAgainByTheNextProcess_OneRecordOneRerun()
    {
        await using var h = await LoopHarness.CreateAsync();
        var (job, runner) = await BusyRunnerAsync(h);
        h.Forge.RerunAnswer = _ => JobRerunAnswer.NotYet("the job is still in_progress");
        h.Provider.Lose(runner.InstanceId!, "spot interruption");
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal([job], h.Forge.Reruns);

        // A new process (a restart, or the next leader) over the same store finds the pending re-run.
        h.Forge.RerunAnswer = r => JobRerunAnswer.Queued("77", "queued again");
        var next = h.NewLoop();
        await next.StartAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await next.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await next.RunCycleAsync(CancellationToken.None);

        Assert.Equal([job, job], h.Forge.Reruns);
        var rerun = Assert.Single(await h.Store.ListJobRerunsAsync(null, CancellationToken.None));
        Assert.Equal((JobRerunState.Requested, "77", 2), (rerun.State, rerun.NewJobId, rerun.Calls));
    }

    [Fact]
    public async Task ForgeRefuses_RecordedAsRefused_NotAskedAgain()
    {
        await using var h = await LoopHarness.CreateAsync();
        var (job, runner) = await BusyRunnerAsync(h);
        h.Forge.RerunAnswer = _ => throw new HttpRequestException("403 Forbidden", null, System.Net.HttpStatusCode.Forbidden);
        h.Provider.Lose(runner.InstanceId!, "spot interruption");

        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal([job], h.Forge.Reruns);
        Assert.Equal(JobRerunState.Refused, Assert.Single(await h.Store.ListJobRerunsAsync(null, CancellationToken.None)).State);
        Assert.Single(await EventsAsync(h, EventKinds.JobRerunRefused));
    }
}
