using Drover.Core.Demand;
using Drover.Core.Runners;
using Drover.Engine.Loop;

namespace Drover.Engine.Tests;

/// <summary>
/// Ephemeral runners whose whole life — register, take a job, finish, exit — falls between two cycles. The forge's
/// runner list never shows them, but the ledger knows the job they ran: they are done, not stuck or failed.
/// </summary>
public sealed class ShortJobTests
{
    [Fact]
    public async Task BootingRunner_RanItsJobBetweenCycles_IsGoneAtOnceAndNotReplaced()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        Assert.True(runner.IsBooting);

        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        foreach (var instance in h.Provider.Instances)
        {
            await h.Provider.DeleteAsync(instance.InstanceId, CancellationToken.None);
        }

        var plan = await h.Loop.RunCycleAsync(CancellationToken.None);

        var after = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        Assert.Equal(RunnerState.Gone, after.State);
        Assert.Equal(0, Assert.Single(plan.Pools).Desired);
        Assert.Equal(1, h.Provider.CreateCalls);
        var history = await h.Store.GetRunnerHistoryAsync(runner.Id, CancellationToken.None);
        Assert.Equal(RunnerState.Busy, history[^2].To);
    }

    [Fact]
    public async Task BootingRunner_SeenRunningItsJobBeforeTheForgeListedIt_RegisteredEventSaysSoWithoutAnEmptyId()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));

        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(RunnerState.Busy, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        var registered = Assert.Single(await h.Store.ListEventsAsync(new Core.Ports.EventQuery(), CancellationToken.None), e => e.Kind == Core.Ports.EventKinds.RunnerRegistered);
        Assert.Equal("registered with the forge: seen running a job before the forge listed its registration", registered.Message);
    }

    [Fact]
    public async Task BootingRunner_ListedByTheForge_RegisteredEventNamesItsForgeId()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        h.Forge.Register(runner.Id);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        var id = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.ForgeRunnerId;
        Assert.False(string.IsNullOrEmpty(id));
        var registered = Assert.Single(await h.Store.ListEventsAsync(new Core.Ports.EventQuery(), CancellationToken.None), e => e.Kind == Core.Ports.EventKinds.RunnerRegistered);
        Assert.Equal($"registered with the forge as {id}", registered.Message);
    }

    [Fact]
    public async Task IdleRunner_RanItsJobBetweenCycles_IsGoneNotFailed()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        h.Forge.Register(runner.Id);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Idle, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);

        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        h.Time.Advance(TimeSpan.FromSeconds(1));
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        h.Forge.Remove(runner.Id);
        await h.Loop.RunCycleAsync(CancellationToken.None);

        var after = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!;
        Assert.Equal(RunnerState.Gone, after.State);
        Assert.Null(after.FailureReason);
    }

    [Fact]
    public async Task BootingRunner_WhoseInstanceEnded_FailsAfterTheListGrace_NotAtItsBootTimeout()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        foreach (var instance in h.Provider.Instances)
        {
            await h.Provider.DeleteAsync(instance.InstanceId, CancellationToken.None);
        }

        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.True((await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.IsBooting, "within the grace a missing instance may still be listed later");

        h.Time.Advance(Core.Runners.ObservationRules.InstanceListGrace);
        await h.Loop.RunCycleAsync(CancellationToken.None);

        var history = await h.Store.GetRunnerHistoryAsync(runner.Id, CancellationToken.None);
        var failed = Assert.Single(history, t => t.To == RunnerState.Failed);
        Assert.Contains("ended before the runner registered", failed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgeLists_YoungerThanTheMaxAge_AreReused_ThenListedAgain()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Queue();
        h.Time.Advance(TimeSpan.FromMilliseconds(300));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(1, h.Forge.ListCalls);
        Assert.Equal(2, (await h.Store.ListRunnersAsync("linux", null, CancellationToken.None)).Count);

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(2, h.Forge.ListCalls);
    }

    [Fact]
    public async Task BusyRunner_MissingFromAReusedForgeListOlderThanItsJob_StaysBusy_NotGone()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));

        // It registers and takes its job within the second the forge list is reused for: the list never shows it.
        h.Time.Advance(TimeSpan.FromMilliseconds(300));
        h.Forge.Register(runner.Id, busy: true);
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Busy, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);

        h.Time.Advance(TimeSpan.FromMilliseconds(300));
        var plan = await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(RunnerState.Busy, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.Equal(1, h.Provider.CreateCalls);
        Assert.Empty(plan.Actions);

        // A list fetched after the job started is news: the registration is there, busy.
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Busy, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task BootingRunner_RanItsJob_ForgeKeepsItsRegistration_IsDeletedAfterTheGrace_NotKeptAsIdle()
    {
        await using var h = await LoopHarness.CreateAsync();
        var job = h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListRunnersAsync("linux", null, CancellationToken.None));

        // As GitLab does: the runner process ran its one job and exited, its registration stays listed (offline).
        h.Time.Advance(TimeSpan.FromSeconds(5));
        h.Forge.Register(runner.Id);
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runner.Id });
        h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        await h.Loop.RunCycleAsync(CancellationToken.None);

        var done = (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!;
        Assert.Equal(RunnerState.Busy, done.State);
        Assert.Equal(job, done.Job);

        h.Time.Advance(TimeSpan.FromMinutes(6));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(RunnerState.Gone, (await h.Store.GetRunnerAsync(runner.Id, CancellationToken.None))!.State);
        Assert.Empty(await h.Forge.ListRunnersAsync(CancellationToken.None));
        Assert.Equal(1, h.Provider.CreateCalls);
    }
}
