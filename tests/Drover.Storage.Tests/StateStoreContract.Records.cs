using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>Contract cases for the event log, cost ledger, ordinals, breakers and webhook deliveries.</summary>
public abstract partial class StateStoreContract
{
    [StoreFact]
    public async Task Events_Appended_AreReadBackInOrderWithSinceAndLimit()
    {
        var store = await OpenAsync();
        var appended = new List<StoredEvent>();
        for (var i = 0; i < 5; i++)
        {
            var at = T0.AddSeconds(i);
            appended.Add(await store.InTransactionAsync(
                (w, ct) => w.AppendEventAsync(new NewEvent(at, "planner", "plan.item", $"r{i}", $"item {i}", i % 2 == 0 ? null : "{}"), ct),
                _none));
        }

        var all = await store.ListEventsAsync(new EventQuery(), _none);

        Assert.Equal(appended, all);
        Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Id < p.Second.Id));
        Assert.Equal(appended[3..], await store.ListEventsAsync(new EventQuery { AfterId = appended[2].Id }, _none));
        Assert.Equal(appended[1..3], await store.ListEventsAsync(new EventQuery { Since = T0.AddSeconds(1), Limit = 2 }, _none));
    }

    [StoreFact]
    public async Task Events_Newest_AreTheLastOnesStillOldestFirst()
    {
        var store = await OpenAsync();
        var appended = new List<StoredEvent>();
        for (var i = 0; i < 6; i++)
        {
            var at = T0.AddSeconds(i);
            appended.Add(await store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(at, "planner", "plan.item", $"r{i}", $"item {i}"), ct), _none));
        }

        Assert.Equal(appended[4..], await store.ListEventsAsync(new EventQuery { Newest = true, Limit = 2 }, _none));
        Assert.Equal(appended[2..], await store.ListEventsAsync(new EventQuery { Newest = true, AfterId = appended[1].Id, Limit = 10 }, _none));
        Assert.Equal(appended[..2], await store.ListEventsAsync(new EventQuery { Limit = 2 }, _none));
    }

    [StoreFact]
    public async Task Spend_ByPoolSince_SumsExactDecimalsFromThatInstant()
    {
        var store = await OpenAsync();
        var entry = await store.InTransactionAsync((w, ct) => w.AddCostAsync(NewCost("gpu", T0, 10.10m), ct), _none);
        await Write(store, async (w, ct) =>
        {
            await w.AddCostAsync(NewCost("gpu", T0.AddHours(1), 0.01m), ct);
            await w.AddCostAsync(NewCost("linux", T0.AddHours(2), 3m), ct);
            await w.AddCostAsync(NewCost("linux", T0.AddDays(-1), 1000m), ct);
        });

        var spend = await store.GetSpendByPoolSinceAsync(T0, _none);

        Assert.True(entry.Id > 0);
        Assert.Equal(new Dictionary<string, decimal> { ["gpu"] = 10.11m, ["linux"] = 3m }, spend);
        Assert.Equal(spend, (await store.LoadPlanningStateAsync(T0, _none)).Observed.PoolSpend);
        Assert.Equal(1003m, (await store.GetSpendByPoolSinceAsync(T0.AddDays(-2), _none))["linux"]);
    }

    [StoreFact]
    public async Task CostMark_AdvancedFromAStaleValue_WritesNothingAndTheTransactionsLinesRollBack()
    {
        var store = await OpenAsync();
        await Write(store, (w, ct) => w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1", RunnerState.Idle, at: T0), "registered", ct));
        var first = new RunnerCostMark("drover-linux-x64-1", T0.AddMinutes(1), 60m);
        Assert.True(await store.InTransactionAsync((w, ct) => w.AdvanceCostMarkAsync(null, first, ct), _none));
        Assert.False(await store.InTransactionAsync((w, ct) => w.AdvanceCostMarkAsync(null, first with { CostedUntil = T0.AddMinutes(2) }, ct), _none));

        var line = NewCost("linux-x64", T0.AddMinutes(1), 0.5m) with
        {
            Kind = Core.Cost.CostKind.Busy,
            RunnerId = "drover-linux-x64-1",
            Job = new Core.Demand.JobKey("github", "77"),
            Scope = "repo:acme/web",
        };
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.InTransactionAsync<bool>(
            async (w, ct) =>
            {
                await w.AddCostAsync(line, ct);
                return await w.AdvanceCostMarkAsync(first with { BilledSeconds = 1m }, first with { CostedUntil = T0.AddMinutes(2) }, ct)
                    ? true
                    : throw new InvalidOperationException("costed meanwhile");
            },
            _none));
        Assert.True(await store.InTransactionAsync(
            async (w, ct) =>
            {
                await w.AddCostAsync(line, ct);
                return await w.AdvanceCostMarkAsync(first, first with { CostedUntil = T0.AddMinutes(2), BilledSeconds = 120m }, ct);
            },
            _none));

        var lines = await store.ListCostAsync(T0, T0.AddHours(1), _none);
        var stored = Assert.Single(lines);
        Assert.Equal(line with { Id = stored.Id }, stored);
        var toCost = Assert.Single(await store.ListRunnersToCostAsync(_none));
        Assert.Equal(new RunnerCostMark("drover-linux-x64-1", T0.AddMinutes(2), 120m), toCost.Mark);
        Assert.Empty(await store.ListCostAsync(T0.AddMinutes(2), T0.AddHours(1), _none));
    }

    [StoreFact]
    public async Task RunnersToCost_GoneRunnerCostedToItsEnd_IsNoLongerListed()
    {
        var store = await OpenAsync();
        await Write(store, async (w, ct) =>
        {
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-1", RunnerState.Idle, at: T0), "registered", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-2", RunnerState.Gone, at: T0.AddMinutes(5)), "deleted", ct);
            await w.UpsertRunnerAsync(NewRunner("drover-linux-x64-3", RunnerState.Gone, at: T0.AddMinutes(5)), "deleted", ct);
            await w.AdvanceCostMarkAsync(null, new RunnerCostMark("drover-linux-x64-2", T0.AddMinutes(5), 300m), ct);
            await w.AdvanceCostMarkAsync(null, new RunnerCostMark("drover-linux-x64-3", T0.AddMinutes(4), 240m), ct);
        });

        var toCost = await store.ListRunnersToCostAsync(_none);

        Assert.Equal(["drover-linux-x64-1", "drover-linux-x64-3"], toCost.Select(r => r.Runner.Id));
        Assert.Null(toCost[0].Mark);
    }

    [StoreFact]
    public async Task Ordinals_Set_OnlyEverGrow()
    {
        var store = await OpenAsync();
        await Write(store, (w, ct) => w.SetNextOrdinalAsync("linux", 5, ct));
        await Write(store, (w, ct) => w.SetNextOrdinalAsync("linux", 3, ct));
        await Write(store, (w, ct) => w.SetNextOrdinalAsync("gpu", 1, ct));
        await Write(store, (w, ct) => w.SetNextOrdinalAsync("gpu", 2, ct));

        var ordinals = (await store.LoadPlanningStateAsync(T0, _none)).Observed.NextOrdinals;

        Assert.Equal(new Dictionary<string, long> { ["gpu"] = 2, ["linux"] = 5 }, ordinals);
    }

    [StoreFact]
    public async Task Breakers_Set_AreLoadedForPlanningAndOverwritten()
    {
        var store = await OpenAsync();
        var open = new CircuitBreakerState { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = T0 };
        var halfOpen = new CircuitBreakerState { Status = BreakerStatus.HalfOpen, ConsecutiveFailures = 5, OpenedAt = T0, HalfOpenSuccesses = 1 };
        await Write(store, (w, ct) => w.SetBreakerAsync("ec2", open, ct));
        await Write(store, (w, ct) => w.SetBreakerAsync("k8s", CircuitBreakerState.Closed, ct));
        Assert.Equal(open, (await store.LoadPlanningStateAsync(T0, _none)).Observed.Breakers["ec2"]);

        await Write(store, (w, ct) => w.SetBreakerAsync("ec2", halfOpen, ct));
        var breakers = (await store.LoadPlanningStateAsync(T0, _none)).Observed.Breakers;

        Assert.Equal(halfOpen, breakers["ec2"]);
        Assert.Equal(CircuitBreakerState.Closed, breakers["k8s"]);
    }

    [StoreFact]
    public async Task Deliveries_DuplicateId_IsRefusedAndProcessedOnesLeaveTheQueue()
    {
        var store = await OpenAsync();
        var first = NewDelivery("d-1", T0);

        var inserted = await store.InTransactionAsync((w, ct) => w.TryInsertDeliveryAsync(first, ct), _none);
        var duplicate = await store.InTransactionAsync(
            (w, ct) => w.TryInsertDeliveryAsync(NewDelivery("d-1", T0.AddSeconds(9)) with { Body = new byte[] { 1 } }, ct), _none);
        var sameIdOtherForge = await store.InTransactionAsync(
            (w, ct) => w.TryInsertDeliveryAsync(NewDelivery("d-1", T0.AddSeconds(1)) with { Forge = "gitlab" }, ct), _none);
        await Write(store, (w, ct) => w.TryInsertDeliveryAsync(NewDelivery("d-2", T0.AddSeconds(2)), ct));

        Assert.True(inserted);
        Assert.False(duplicate);
        Assert.True(sameIdOtherForge);
        var queued = await store.ListUnprocessedDeliveriesAsync(10, T0, _none);
        Assert.Equal(["github/d-1", "gitlab/d-1", "github/d-2"], queued.Select(d => $"{d.Forge}/{d.DeliveryId}"));
        Assert.Equal(first.Body.ToArray(), queued[0].Body.ToArray());
        Assert.Equal(first.HeadersJson, queued[0].HeadersJson);

        Assert.True(await store.InTransactionAsync((w, ct) => w.MarkDeliveryProcessedAsync("github", "d-1", T0.AddMinutes(1), ct), _none));
        Assert.False(await store.InTransactionAsync((w, ct) => w.MarkDeliveryProcessedAsync("github", "nope", T0, ct), _none));

        Assert.Equal(["gitlab/d-1"], (await store.ListUnprocessedDeliveriesAsync(1, T0, _none)).Select(d => $"{d.Forge}/{d.DeliveryId}"));
        Assert.Equal(2, (await store.ListUnprocessedDeliveriesAsync(10, T0, _none)).Count);
    }
}
