using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Loop;

namespace Drover.Engine.Tests;

/// <summary>
/// Retention (<see cref="StoreRetention"/>): the leader's cycle deletes what the fleet file's retention no longer keeps,
/// in bounded batches, and keeps what is live or recent; a reload's retention applies at the next round.
/// </summary>
public sealed class StoreRetentionTests
{
    [Fact]
    public async Task Cycle_DeletesOldEventsFinishedJobsGoneRunnersAndCostLines_KeepsLiveAndRecentOnes()
    {
        await using var h = await LoopHarness.CreateAsync();
        var now = h.Time.GetUtcNow();
        var old = now - TimeSpan.FromDays(3);
        await SeedAsync(h.Store, old, now);
        var config = h.Config with { Retention = new RetentionConfig { Events = TimeSpan.FromDays(2), Jobs = TimeSpan.FromDays(2), Runners = TimeSpan.FromDays(2), CostLines = TimeSpan.FromDays(40) } };
        var loop = new ControlLoop(config, h.Store, new EngineAdapters([h.Provider], [h.Forge]), h.Time, h.Logger, h.Metrics, h.Options);
        await loop.StartAsync(CancellationToken.None);

        await loop.RunCycleAsync(CancellationToken.None);

        Assert.DoesNotContain(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Subject == "old");
        Assert.Contains(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Subject == "new");
        Assert.Null(await h.Store.GetJobAsync(new JobKey("github", "done-old"), CancellationToken.None));
        Assert.NotNull(await h.Store.GetJobAsync(new JobKey("github", "done-new"), CancellationToken.None));
        Assert.NotNull(await h.Store.GetJobAsync(new JobKey("github", "queued-old"), CancellationToken.None));
        Assert.Null(await h.Store.GetRunnerAsync("drover-linux-1", CancellationToken.None));
        Assert.Empty(await h.Store.GetRunnerHistoryAsync("drover-linux-1", CancellationToken.None));
        Assert.NotNull(await h.Store.GetRunnerAsync("drover-linux-2", CancellationToken.None));

        // Cost lines are kept 40 days: the 3-day-old line stays, and goes once it is 41 days old.
        Assert.Equal(2, (await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None)).Count);
        h.Time.Advance(TimeSpan.FromDays(38));
        await loop.RunCycleAsync(CancellationToken.None);
        Assert.Equal([now], (await h.Store.ListCostAsync(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, CancellationToken.None)).Select(l => l.From));
    }

    [Fact]
    public async Task Reload_ShorterRetention_AppliesAtTheNextRound()
    {
        await using var h = await LoopHarness.CreateAsync();
        var now = h.Time.GetUtcNow();
        await SeedAsync(h.Store, now - TimeSpan.FromDays(3), now);
        await h.Loop.StartAsync(CancellationToken.None);
        await h.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Contains(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Subject == "old");

        h.Loop.Reload(h.Config with { Retention = h.Config.Retention with { Events = TimeSpan.FromDays(1) } });
        h.Time.Advance(StoreRetention.Every);
        await h.Loop.RunCycleAsync(CancellationToken.None);

        Assert.DoesNotContain(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Subject == "old");
        Assert.NotNull(await h.Store.GetJobAsync(new JobKey("github", "done-old"), CancellationToken.None));
    }

    [Fact]
    public async Task Round_DeletesAtMostABatchOfEachKind_GoesOnNextCycleWhenBehind_ThenWaits()
    {
        await using var h = await LoopHarness.CreateAsync();
        var now = h.Time.GetUtcNow();
        for (var i = 0; i < 5; i++)
        {
            await h.Store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(now - TimeSpan.FromDays(40 - i), "t", "plan.item", "old", "old"), ct), CancellationToken.None);
        }

        var retention = new StoreRetention(Services(h), batchSize: 2);
        var config = new RetentionConfig();

        Assert.Equal(2, await retention.PruneAsync(config, now, CancellationToken.None));
        Assert.Equal(2, await retention.PruneAsync(config, now + TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Equal(1, await retention.PruneAsync(config, now + TimeSpan.FromSeconds(2), CancellationToken.None));
        await h.Store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(now - TimeSpan.FromDays(40), "t", "plan.item", "old", "old"), ct), CancellationToken.None);
        Assert.Equal(0, await retention.PruneAsync(config, now + TimeSpan.FromSeconds(3), CancellationToken.None));
        Assert.Equal(1, await retention.PruneAsync(config, now + TimeSpan.FromSeconds(2) + StoreRetention.Every, CancellationToken.None));
        Assert.Empty(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None));
    }

    /// <summary>Old and recent rows of each kind: events, jobs, a runner gone long ago and one idle since then, cost lines.</summary>
    private static Task SeedAsync(IStateStore store, DateTimeOffset old, DateTimeOffset now) => store.InTransactionAsync(
        async (w, ct) =>
        {
            await w.AppendEventAsync(new NewEvent(old, "t", "plan.item", "old", "old"), ct);
            await w.AppendEventAsync(new NewEvent(now, "t", "plan.item", "new", "new"), ct);
            await w.UpsertJobAsync(Job("done-old", JobState.Completed, old), ct);
            await w.UpsertJobAsync(Job("done-new", JobState.Completed, now), ct);
            await w.UpsertJobAsync(Job("queued-old", JobState.Queued, old), ct);
            await w.UpsertRunnerAsync(Runner(1, RunnerState.Idle, old - TimeSpan.FromHours(1)), "registered", ct);
            await w.UpsertRunnerAsync(Runner(1, RunnerState.Gone, old), "deleted", ct);
            await w.UpsertRunnerAsync(Runner(2, RunnerState.Idle, old), "registered", ct);
            await w.AdvanceCostMarksAsync([(null, new RunnerCostMark("drover-linux-1", old, 3600m)), (null, new RunnerCostMark("drover-linux-2", old - TimeSpan.FromMinutes(1), 0m))], ct);
            await w.AddCostsAsync([Line(old), Line(now)], ct);
            return true;
        },
        CancellationToken.None);

    private static Job Job(string id, JobState state, DateTimeOffset at) => new()
    {
        Key = new JobKey("github", id),
        State = state,
        Labels = ["linux"],
        QueuedAt = at,
        FinishedAt = state is JobState.Completed ? at : null,
        LastEventAt = at,
    };

    private static Runner Runner(int ordinal, RunnerState state, DateTimeOffset at) => new()
    {
        Id = $"drover-linux-{ordinal}",
        Pool = "linux",
        Provider = "fake",
        IdempotencyKey = $"drover-linux-{ordinal}",
        Ordinal = ordinal,
        State = state,
        StateSince = at,
        CreatedAt = at,
    };

    private static CostEntry Line(DateTimeOffset from) => new()
    {
        Pool = "linux",
        Provider = "fake",
        From = from,
        To = from + TimeSpan.FromMinutes(1),
        RunnerSeconds = 60,
        Amount = 0.06m,
        Currency = "USD",
    };

    private static ExecutionServices Services(LoopHarness h) => new()
    {
        Store = h.Store,
        Adapters = new EngineAdapters([h.Provider], [h.Forge]),
        Vault = new RunnerCredentialVault(),
        Calls = new CallPolicy(new CallResilienceOptions { MaxRetryAttempts = 0 }, h.Time, new Random(1)),
        Time = h.Time,
        Logger = h.Logger,
        Metrics = h.Metrics,
    };
}
