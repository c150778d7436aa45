using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for the cost ledger's batched writes and the retention deletes.</summary>
public abstract partial class StateStoreContract
{
    [StoreFact]
    public async Task Costs_AddedInBatchesOverTheStatementSize_AreAllStoredExactly()
    {
        var store = await OpenAsync();
        var lines = Enumerable.Range(0, 450).Select(i => NewCost($"pool-{i % 7}", T0.AddSeconds(i), 0.001m * i) with
        {
            Kind = i % 2 == 0 ? Core.Cost.CostKind.Idle : Core.Cost.CostKind.Busy,
            RunnerId = $"r{i}",
            Job = i % 2 == 0 ? null : new JobKey("github", $"job-{i}"),
            Scope = i % 3 == 0 ? null : "org:acme",
        }).ToList();

        Assert.Equal(450, await store.InTransactionAsync((w, ct) => w.AddCostsAsync(lines, ct), _none));

        var stored = await store.ListCostAsync(T0, T0.AddHours(1), _none);
        Assert.Equal(lines, stored.Select(l => l with { Id = 0 }).OrderBy(l => l.From));
        Assert.Equal(lines.Sum(l => l.Amount), stored.Sum(l => l.Amount));
    }

    [StoreFact]
    public async Task CostMarks_AdvancedInABatch_MoveOnlyFromTheExpectedValue()
    {
        var store = await OpenAsync();
        var first = Enumerable.Range(0, 250).Select(i => new RunnerCostMark($"drover-linux-x64-{i}", T0, i)).ToList();
        Assert.Equal(250, await store.InTransactionAsync((w, ct) => w.AdvanceCostMarksAsync([.. first.Select(m => ((RunnerCostMark?)null, m))], ct), _none));

        // Again from "none": nothing moves. From the stored values: all move, except one whose expected value is stale.
        Assert.Equal(0, await store.InTransactionAsync((w, ct) => w.AdvanceCostMarksAsync([(null, first[0] with { CostedUntil = T0.AddMinutes(9) })], ct), _none));
        var moves = first.Select((m, i) => ((RunnerCostMark?)(i == 7 ? m with { BilledSeconds = 999m } : m), m with { CostedUntil = T0.AddMinutes(1), BilledSeconds = m.BilledSeconds + 60.5m })).ToList();
        Assert.Equal(249, await store.InTransactionAsync((w, ct) => w.AdvanceCostMarksAsync(moves, ct), _none));

        // Marks are read with their runners.
        await Write(store, async (w, ct) =>
        {
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-7", RunnerState.Idle), "registered", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-8", RunnerState.Idle), "registered", ct);
        });
        var toCost = (await store.ListRunnersToCostAsync(_none)).ToDictionary(r => r.Runner.Id, r => r.Mark);
        Assert.Equal(new RunnerCostMark("drover-linux-x64-7", T0, 7m), toCost["drover-linux-x64-7"]);
        Assert.Equal(new RunnerCostMark("drover-linux-x64-8", T0.AddMinutes(1), 68.5m), toCost["drover-linux-x64-8"]);
    }

    [StoreFact]
    public async Task RunnerHistories_ReadTogether_EqualEachRunnersOwnHistory()
    {
        var store = await OpenAsync();
        var ids = Enumerable.Range(1, 600).Select(i => $"drover-linux-x64-{i}").ToList();
        await Write(store, async (w, ct) =>
        {
            foreach (var id in ids.Take(599))
            {
                await w.UpsertRunnerAsync(NewRunner(id, RunnerState.Provisioning, at: T0), "created", ct);
                await w.UpsertRunnerAsync(NewRunner(id, RunnerState.Idle, at: T0.AddSeconds(30)), "registered", ct);
            }
        });

        var histories = await store.GetRunnerHistoriesAsync(ids, _none);

        Assert.Equal(600, histories.Count);
        foreach (var id in ids)
        {
            Assert.Equal(await store.GetRunnerHistoryAsync(id, _none), histories[id]);
        }

        Assert.Empty(histories["drover-linux-x64-600"]);
    }

    [StoreFact]
    public async Task Retention_OldEventsAndCostLines_AreDeletedInBatchesOldestFirst_RecentOnesKept()
    {
        var store = await OpenAsync();
        for (var i = 0; i < 5; i++)
        {
            var at = T0.AddDays(-10 + i);
            await Write(store, (w, ct) => w.AppendEventAsync(new NewEvent(at, "planner", "plan.item", $"r{i}", "old"), ct));
            await Write(store, (w, ct) => w.AddCostAsync(NewCost("linux", at, 1m), ct));
        }

        await Write(store, (w, ct) => w.AppendEventAsync(new NewEvent(T0, "planner", "plan.item", "new", "new"), ct));
        await Write(store, (w, ct) => w.AddCostAsync(NewCost("linux", T0, 2m), ct));

        Assert.Equal(3, await store.InTransactionAsync((w, ct) => w.DeleteEventsBeforeAsync(T0.AddDays(-1), 3, ct), _none));
        Assert.Equal(["r3", "r4", "new"], (await store.ListEventsAsync(new EventQuery(), _none)).Select(e => e.Subject));
        Assert.Equal(2, await store.InTransactionAsync((w, ct) => w.DeleteEventsBeforeAsync(T0.AddDays(-1), 3, ct), _none));
        Assert.Equal(0, await store.InTransactionAsync((w, ct) => w.DeleteEventsBeforeAsync(T0.AddDays(-1), 3, ct), _none));
        Assert.Equal(["new"], (await store.ListEventsAsync(new EventQuery(), _none)).Select(e => e.Subject));

        Assert.Equal(4, await store.InTransactionAsync((w, ct) => w.DeleteCostLinesBeforeAsync(T0.AddDays(-6), 10, ct), _none));
        var left = await store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, _none);
        Assert.Equal([T0.AddDays(-6), T0], left.Select(l => l.From));
    }

    [StoreFact]
    public async Task Retention_FinishedJobs_OldOnesDeleted_QueuedRunningAndRecentKept()
    {
        var store = await OpenAsync();
        var old = T0.AddDays(-40);
        await Write(store, async (w, ct) =>
        {
            await w.UpsertJobAsync(NewJob("done-old", JobState.Completed) with { FinishedAt = old, LastEventAt = old }, ct);
            await w.UpsertJobAsync(NewJob("cancelled-old", JobState.Cancelled) with { FinishedAt = old, LastEventAt = old }, ct);
            await w.UpsertJobAsync(NewJob("expired-old", JobState.Expired) with { LastEventAt = old }, ct);
            await w.UpsertJobAsync(NewJob("done-new", JobState.Completed) with { FinishedAt = T0, LastEventAt = T0 }, ct);
            await w.UpsertJobAsync(NewJob("queued-old") with { QueuedAt = old, LastEventAt = old }, ct);
            await w.UpsertJobAsync(NewJob("running-old", JobState.Running) with { QueuedAt = old, StartedAt = old, LastEventAt = old }, ct);
        });

        Assert.Equal(2, await store.InTransactionAsync((w, ct) => w.DeleteFinishedJobsBeforeAsync(T0.AddDays(-30), 2, ct), _none));
        Assert.Equal(1, await store.InTransactionAsync((w, ct) => w.DeleteFinishedJobsBeforeAsync(T0.AddDays(-30), 2, ct), _none));

        foreach (var (id, kept) in new[] { ("done-old", false), ("cancelled-old", false), ("expired-old", false), ("done-new", true), ("queued-old", true), ("running-old", true) })
        {
            Assert.True(kept == (await store.GetJobAsync(new JobKey("github", id), _none) is not null), $"{id} kept: expected {kept}");
        }
    }

    [StoreFact]
    public async Task Retention_GoneRunners_CostedToTheirEnd_AreDeletedWithHistoryAndMark_OthersKept()
    {
        // 1: gone and costed to its end; 2: gone, not costed to its end; 3: gone recently; 4: idle.
        var store = await OpenAsync();
        var old = T0.AddDays(-40);
        await Write(store, async (w, ct) =>
        {
            foreach (var id in new[] { "drover-linux-x64-1", "drover-linux-x64-2", "drover-linux-x64-3", "drover-linux-x64-4" })
            {
                await w.UpsertRunnerAsync(NewRunner(id, RunnerState.Provisioning, at: old.AddMinutes(-5)), "created", ct);
            }

            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1", RunnerState.Gone, at: old), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2", RunnerState.Gone, at: old), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-3", RunnerState.Gone, at: T0), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-4", RunnerState.Idle, at: old), "registered", ct);
            await w.AdvanceCostMarksAsync(
                [
                    (null, new RunnerCostMark("drover-linux-x64-1", old, 300m)),
                    (null, new RunnerCostMark("drover-linux-x64-2", old.AddMinutes(-1), 240m)),
                    (null, new RunnerCostMark("drover-linux-x64-3", T0, 300m)),
                    (null, new RunnerCostMark("drover-linux-x64-4", old, 300m)),
                ],
                ct);
        });

        Assert.Equal(1, await store.InTransactionAsync((w, ct) => w.DeleteGoneRunnersBeforeAsync(T0.AddDays(-30), 10, ct), _none));

        Assert.Null(await store.GetRunnerAsync("drover-linux-x64-1", _none));
        Assert.Empty(await store.GetRunnerHistoryAsync("drover-linux-x64-1", _none));
        foreach (var id in new[] { "drover-linux-x64-2", "drover-linux-x64-3", "drover-linux-x64-4" })
        {
            Assert.NotNull(await store.GetRunnerAsync(id, _none));
            Assert.Equal(2, (await store.GetRunnerHistoryAsync(id, _none)).Count);
        }

        // Its mark went with it: a runner created again under that id is costed from its own start.
        await Write(store, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1", RunnerState.Idle, at: T0), "registered", ct));
        Assert.Null((await store.ListRunnersToCostAsync(_none)).Single(r => r.Runner.Id == "drover-linux-x64-1").Mark);
    }

    [StoreFact]
    public async Task CostDue_ListsLiveRunnersAndGoneOnesNotCostedToTheirEnd_SinceTheGivenTime_ThenABatchReadsThemWithTheirMarks()
    {
        // 1: gone long ago, not costed to its end; 2: gone recently, not costed to its end; 3: gone, costed to its end;
        // 4: idle, costed; 5: idle, never costed.
        var store = await OpenAsync();
        var old = T0.AddDays(-3);
        await Write(store, async (w, ct) =>
        {
            foreach (var id in new[] { "drover-linux-x64-1", "drover-linux-x64-2", "drover-linux-x64-3", "drover-linux-x64-4", "drover-linux-x64-5" })
            {
                await w.UpsertRunnerAsync(NewRunner(id, RunnerState.Provisioning, at: old.AddMinutes(-5)), "created", ct);
            }

            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1", RunnerState.Gone, at: old), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2", RunnerState.Gone, at: T0), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-3", RunnerState.Gone, at: T0), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-4", RunnerState.Idle, at: old), "registered", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-5", RunnerState.Idle, at: old), "registered", ct);
            await w.AdvanceCostMarksAsync(
                [
                    (null, new RunnerCostMark("drover-linux-x64-1", old.AddMinutes(-1), 240m)),
                    (null, new RunnerCostMark("drover-linux-x64-2", T0.AddMinutes(-1), 240m)),
                    (null, new RunnerCostMark("drover-linux-x64-3", T0, 300m)),
                    (null, new RunnerCostMark("drover-linux-x64-4", T0, 300m)),
                ],
                ct);
        });

        var all = await store.ListCostDueAsync(null, _none);
        Assert.Equal(["drover-linux-x64-1", "drover-linux-x64-2", "drover-linux-x64-4", "drover-linux-x64-5"], all.Select(d => d.RunnerId));
        Assert.Equal([old.AddMinutes(-1), T0.AddMinutes(-1), T0, null], all.Select(d => d.CostedUntil));
        var since = await store.ListCostDueAsync(T0.AddHours(-1), _none);
        Assert.Equal(["drover-linux-x64-2", "drover-linux-x64-4", "drover-linux-x64-5"], since.Select(d => d.RunnerId));

        var batch = await store.GetRunnersToCostAsync(["drover-linux-x64-5", "drover-linux-x64-2", "drover-linux-x64-9"], _none);
        Assert.Equal(["drover-linux-x64-2", "drover-linux-x64-5"], batch.Select(r => r.Runner.Id));
        Assert.Equal(RunnerState.Gone, batch[0].Runner.State);
        Assert.Equal(T0.AddMinutes(-1), batch[0].Mark!.CostedUntil);
        Assert.Null(batch[1].Mark);
    }
}
