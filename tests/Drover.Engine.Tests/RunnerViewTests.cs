using Drover.Core.Demand;
using Drover.Core.Runners;

namespace Drover.Engine.Tests;

/// <summary>The loop's own view of the runners stays what the store holds.</summary>
public sealed class RunnerViewTests
{
    private static async Task AssertSnapshotMatchesStoreAsync(LoopHarness h)
    {
        var stored = await h.Store.ListLiveRunnersAsync(null, CancellationToken.None);
        Assert.Equal(stored, h.Loop.Snapshot.Runners);
    }

    /// <summary>Fails <paramref name="runner"/> in the store, not through the loop (e.g. a restore).</summary>
    private static Task<bool> FailBehindTheLoopsBackAsync(LoopHarness h, Runner runner) => h.Store.InTransactionAsync(
        async (w, ct) =>
        {
            await w.UpsertRunnerAsync(runner with { State = RunnerState.Failed, StateSince = h.Time.GetUtcNow(), FailureReason = "edited" }, "test", ct);
            return true;
        },
        CancellationToken.None);

    [Fact]
    public async Task EveryCycle_SnapshotRunnersEqualTheStoredLiveRunners()
    {
        await using var h = await LoopHarness.CreateAsync(idle: 1);
        var jobs = Enumerable.Range(0, 4).Select(_ => h.Queue()).ToList();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await AssertSnapshotMatchesStoreAsync(h);

        var runners = await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < jobs.Count; i++)
        {
            h.Forge.Register(runners[i].Id, busy: true);
            h.Loop.Ingest(new JobEvent { Key = jobs[i], Kind = JobEventKind.Started, At = h.Time.GetUtcNow(), RunnerName = runners[i].Id });
        }

        await h.Loop.RunCycleAsync(CancellationToken.None);
        await AssertSnapshotMatchesStoreAsync(h);

        h.Time.Advance(TimeSpan.FromSeconds(5));
        foreach (var job in jobs)
        {
            h.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = h.Time.GetUtcNow() });
        }

        foreach (var runner in runners.Take(jobs.Count))
        {
            h.Forge.Remove(runner.Id);
        }

        for (var cycle = 0; cycle < 4; cycle++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(2));
            await h.Loop.RunCycleAsync(CancellationToken.None);
            await AssertSnapshotMatchesStoreAsync(h);
        }

        Assert.Single(h.Loop.Snapshot.Runners);
    }

    [Fact]
    public async Task RunnerChangedBehindTheLoopsBack_IsReadAgainWithinTheResyncInterval()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None));

        // Not through the loop: e.g. a restore. The view does not know for now ...
        await FailBehindTheLoopsBackAsync(h, runner);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Provisioning, Assert.Single(h.Loop.Snapshot.Runners, r => r.Id == runner.Id).State);

        // ... and reads the store again once the resync interval has passed.
        h.Time.Advance(TimeSpan.FromSeconds(31));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await AssertSnapshotMatchesStoreAsync(h);
        Assert.DoesNotContain(h.Loop.Snapshot.Runners, r => r.Id == runner.Id && r.State == RunnerState.Provisioning);
    }

    [Fact]
    public async Task ResyncRead_StartedBetweenCycles_IsTakenByTheNextCycle_BeforeTheIntervalEnds()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None));
        await FailBehindTheLoopsBackAsync(h, runner);

        // Three quarters into the resync interval: this cycle still works on its view, then reads the store after it.
        h.Time.Advance(TimeSpan.FromSeconds(23));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal(RunnerState.Provisioning, Assert.Single(h.Loop.Snapshot.Runners, r => r.Id == runner.Id).State);
        await h.Loop.RunnersReadAhead;

        // 24 s after the last read in a cycle, well within the interval: the next cycle starts from what was read.
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);
        await AssertSnapshotMatchesStoreAsync(h);
        Assert.DoesNotContain(h.Loop.Snapshot.Runners, r => r.Id == runner.Id && r.State == RunnerState.Provisioning);
    }

    [Fact]
    public async Task FailedCycle_DropsTheView_NextCycleReadsTheStoreAndCreatesNoSecondRunner()
    {
        await using var h = await LoopHarness.CreateAsync();
        h.Queue();
        await h.Loop.RunCycleAsync(CancellationToken.None);
        h.Queue();
        using var crash = new CancellationTokenSource();
        h.Provider.AfterCreate = _ =>
        {
            crash.Cancel();
            crash.Token.ThrowIfCancellationRequested();
        };
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Loop.RunCycleAsync(crash.Token));
        h.Provider.AfterCreate = null;

        h.Time.Advance(TimeSpan.FromSeconds(1));
        await h.Loop.RunCycleAsync(CancellationToken.None);

        await AssertSnapshotMatchesStoreAsync(h);
        Assert.Equal(2, h.Provider.CreateCalls);
        Assert.Equal(2, (await h.Store.ListLiveRunnersAsync("linux", CancellationToken.None)).Count);
    }
}
