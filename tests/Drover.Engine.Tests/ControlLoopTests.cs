using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Engine.Tests;

public sealed class ControlLoopTests
{
    [Fact]
    public async Task RunCycle_QueuedDemand_CreatesOneRunnerPerJobWithIntentBeforeConfirmation()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        h.Queue();
        h.Queue();

        await h.Loop.RunCycleAsync(CancellationToken.None);

        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(3, runners.Count);
        Assert.All(runners, r => Assert.Equal(RunnerState.Provisioning, r.State));
        Assert.All(runners, r => Assert.NotNull(r.InstanceId));
        Assert.Equal(3, h.Provider.Instances.Count);
        Assert.Equal(3, h.Forge.Minted.Count);
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        foreach (var runner in runners)
        {
            var intent = events.Single(e => e.Kind == "runner.create.intent" && e.Subject == runner.Id);
            var confirmed = events.Single(e => e.Kind == "provider.create.succeeded" && e.Subject == runner.Id);
            Assert.True(intent.Id < confirmed.Id);
        }

        Assert.Equal(3, h.Loop.Vault.Count);
    }

    [Fact]
    public async Task RunCycle_JobsComplete_ScalesBackToIdleCount()
    {
        await using var h = await LoopHarness.CreateAsync(idle: 1);
        var first = h.Queue();
        var second = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runners = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(3, runners.Count);

        h.Time.Advance(TimeSpan.FromSeconds(20));
        h.Forge.Register(runners[0].Id, busy: true);
        h.Forge.Register(runners[1].Id, busy: true);
        h.Forge.Register(runners[2].Id);
        h.Loop.Ingest(new JobEvent { Key = first, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runners[0].Id });
        h.Loop.Ingest(new JobEvent { Key = second, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runners[1].Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var states = (await h.Store.ListRunnersAsync("linux", null, CancellationToken.None)).Select(r => r.State).Order().ToList();
        Assert.Equal([RunnerState.Idle, RunnerState.Busy, RunnerState.Busy], states);

        h.Time.Advance(TimeSpan.FromMinutes(2));
        h.Loop.Ingest(new JobEvent { Key = first, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        h.Loop.Ingest(new JobEvent { Key = second, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        h.Forge.Remove(runners[0].Id);
        h.Forge.Remove(runners[1].Id);
        var plan = await h.Loop.RunCycleAsync(CancellationToken.None);

        var left = await h.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(2, left.Count(r => r.State == RunnerState.Gone));
        Assert.Equal(RunnerState.Idle, Assert.Single(left, r => r.State != RunnerState.Gone).State);
        Assert.Equal(1, Assert.Single(plan.Pools).Desired);
        Assert.Empty(plan.Actions);
    }

    [Fact]
    public async Task RunCycle_A25HourJobTheForgeReportsRunning_ItsRunnerIsNeverReaped_AndTheJobNeverQueuedAgain()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        h.Time.Advance(TimeSpan.FromSeconds(20));
        h.Forge.Register(runner.Id, busy: true);
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);

        // 25 hours of cycles (one every 10 minutes) past the 24 h busy timeout: the forge still reports the job running.
        for (var minute = 0; minute < 25 * 60; minute += 10)
        {
            h.Time.Advance(TimeSpan.FromMinutes(10));
            await h.Loop.RunCycleAsync(CancellationToken.None);
        }

        var busy = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        Assert.Equal((runner.Id, RunnerState.Busy, job), (busy.Id, busy.State, busy.Job));
        Assert.Equal(1, h.Provider.CreateCalls);
        Assert.Equal(JobState.Running, (await h.Store.GetJobAsync(job, CancellationToken.None))?.State);
        Assert.DoesNotContain(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Kind.StartsWith("runner.delete", StringComparison.Ordinal));

        // The job ends after 25 h 10 min: the runner goes as any other.
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        h.Forge.Remove(runner.Id);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Gone, Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None)).State);
    }

    [Fact]
    public async Task RunCycle_FiveProviderFailures_OpenTheBreakerAndThePlanSaysSo()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Provider.BeforeCreate = _ => throw new InvalidOperationException("quota exceeded");
        for (var i = 0; i < 7; i++)
        {
            h.Queue();
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(5, h.Provider.CreateCalls);
        var state = await h.Store.LoadPlanningStateAsync(DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(BreakerStatus.Open, state.Observed.Breakers["fake"].Status);
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(5, events.Count(e => e.Kind == "provider.create.failed"));
        Assert.Contains(events, e => e.Kind == "provider.create.withheld");

        h.Time.Advance(TimeSpan.FromSeconds(10));
        var plan = await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(5, h.Provider.CreateCalls);
        var notes = plan.Notes.Concat(plan.Pools.SelectMany(p => p.Notes));
        Assert.Contains(notes, n => n.Contains("open", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_IntentLeftByACrashAfterTheProviderCall_IsConfirmedFromTheProviderList()
    {
        await using var h = await LoopHarness.CreateAsync();
        using var crash = new CancellationTokenSource();
        h.Provider.AfterCreate = _ =>
        {
            crash.Cancel();
            crash.Token.ThrowIfCancellationRequested();
        };
        h.Queue();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Loop.RunCycleAsync(crash.Token));

        var intent = Assert.Single(await h.Store.ListRunnersAsync(null, null, CancellationToken.None));
        Assert.Equal(RunnerState.Requested, intent.State);
        Assert.Null(intent.InstanceId);

        h.Provider.AfterCreate = null;
        var restarted = h.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        var resolved = Assert.Single(await h.Store.ListRunnersAsync(null, null, CancellationToken.None));
        Assert.Equal(RunnerState.Provisioning, resolved.State);
        Assert.Equal(Assert.Single(h.Provider.Instances).InstanceId, resolved.InstanceId);

        await restarted.RunCycleAsync(CancellationToken.None);
        Assert.Single(h.Provider.Instances);
        Assert.Equal(1, h.Provider.CreateCalls);
    }

    [Fact]
    public async Task Start_IntentLeftByACrashBeforeTheProviderCall_IsWithdrawnAndReplaced()
    {
        await using var h = await LoopHarness.CreateAsync();
        using var crash = new CancellationTokenSource();
        h.Provider.BeforeCreate = _ =>
        {
            crash.Cancel();
            crash.Token.ThrowIfCancellationRequested();
        };
        h.Queue();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Loop.RunCycleAsync(crash.Token));

        h.Provider.BeforeCreate = null;
        var restarted = h.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Gone, Assert.Single(await h.Store.ListRunnersAsync(null, null, CancellationToken.None)).State);

        await restarted.RunCycleAsync(CancellationToken.None);
        var active = (await h.Store.ListRunnersAsync(null, null, CancellationToken.None)).Where(r => r.State != RunnerState.Gone).ToList();
        Assert.Equal(RunnerState.Provisioning, Assert.Single(active).State);
        Assert.Single(h.Provider.Instances);
    }

    [Fact]
    public async Task Start_IntentLeftWhileTheProviderCannotList_IsResolvedByTheFirstCycleOnceItLists()
    {
        await using var h = await LoopHarness.CreateAsync();
        using var crash = new CancellationTokenSource();
        h.Provider.BeforeCreate = _ =>
        {
            crash.Cancel();
            crash.Token.ThrowIfCancellationRequested();
        };
        h.Queue();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Loop.RunCycleAsync(crash.Token));
        h.Provider.BeforeCreate = null;

        // The restarted leader's first list fails (a pod cache not synced yet, a 5xx): the intent is kept.
        var listFails = true;
        h.Provider.BeforeList = () =>
        {
            if (listFails)
            {
                throw new HttpRequestException("500 Internal Server Error", null, System.Net.HttpStatusCode.InternalServerError);
            }
        };
        var restarted = h.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        var intent = Assert.Single(await h.Store.ListRunnersAsync(null, null, CancellationToken.None));
        Assert.Equal(RunnerState.Requested, intent.State);

        // The provider lists again: the next cycle withdraws the intent (no instance carries its key) and replaces it,
        // instead of leaving it to hold the pool's slot until its Requested timeout.
        listFails = false;
        await restarted.RunCycleAsync(CancellationToken.None);

        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(intent.Id, CancellationToken.None))!.State);
        var active = (await h.Store.ListRunnersAsync(null, null, CancellationToken.None)).Where(r => r.State != RunnerState.Gone).ToList();
        Assert.Equal(RunnerState.Provisioning, Assert.Single(active).State);
        Assert.Single(h.Provider.Instances);
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Single(events, e => e.Kind == EventKinds.RunnerIntentReconciled && e.Subject == intent.Id);
    }

    [Fact]
    public async Task Start_IntentWithdrawnAfterItsCredentialWasMinted_ItsRegistrationIsRemovedAtOnce()
    {
        await using var h = await LoopHarness.CreateAsync();
        using var crash = new CancellationTokenSource();
        h.Provider.BeforeCreate = request =>
        {
            // A JIT configuration registers the runner when it is minted, before any instance exists.
            h.Forge.Register(request.IdempotencyKey);
            crash.Cancel();
            crash.Token.ThrowIfCancellationRequested();
        };
        h.Queue();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Loop.RunCycleAsync(crash.Token));
        var intent = Assert.Single(await h.Store.ListRunnersAsync(null, null, CancellationToken.None));
        Assert.Single(await h.Forge.ListRunnersAsync(CancellationToken.None));

        h.Provider.BeforeCreate = null;
        await h.NewLoop().StartAsync(CancellationToken.None);

        Assert.Empty(await h.Forge.ListRunnersAsync(CancellationToken.None));
        var events = await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Single(events, e => e.Kind == EventKinds.ForgeUnregisterSucceeded && e.Subject == intent.Id);
    }

    [Fact]
    public async Task Run_TenSignalsBeforeTheLoopWakes_RunOneCycle()
    {
        await using var h = await LoopHarness.CreateAsync();
        for (var i = 0; i < 10; i++)
        {
            h.Queue();
        }

        var cycles = 0;
        var first = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Loop.CycleCompleted += _ =>
        {
            var n = Interlocked.Increment(ref cycles);
            (n == 1 ? first : second).TrySetResult();
        };
        using var stop = new CancellationTokenSource();
        var run = h.Loop.RunAsync(stop.Token);

        await first.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(10, Assert.Single(h.Loop.Snapshot.Plan!.Pools).Demand.Queued);
        Assert.False(second.Task.IsCompleted);

        // The next cycle comes from the resync, once the fake clock reaches it.
        h.Time.Advance(TimeSpan.FromSeconds(30));
        await second.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, Volatile.Read(ref cycles));
        await stop.CancelAsync();
        await run;
    }

    [Fact]
    public async Task RunCycle_AQueuedJobNotHeardOfForTheStaleAge_IsExpiredInTheStore_AndARestartDoesNotQueueItAgain()
    {
        await using var harness = await LoopHarness.CreateAsync();
        var job = harness.Queue("windows");
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(JobState.Queued, (await harness.Store.GetJobAsync(job, CancellationToken.None))!.State);

        harness.Time.Advance(harness.Config.StaleJobAge + TimeSpan.FromMinutes(1));
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        var stored = await harness.Store.GetJobAsync(job, CancellationToken.None);
        Assert.Equal(JobState.Expired, stored!.State);
        Assert.Equal(harness.Time.GetUtcNow(), stored.FinishedAt);
        var restarted = harness.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        await restarted.RunCycleAsync(CancellationToken.None);
        Assert.Equal(JobState.Expired, (await harness.Store.GetJobAsync(job, CancellationToken.None))!.State);
    }
}
