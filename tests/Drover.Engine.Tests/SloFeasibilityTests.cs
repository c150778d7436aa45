using System.Diagnostics.Metrics;
using Drover.Core.Planning;
using Drover.Core.Ports;

namespace Drover.Engine.Tests;

public sealed class SloFeasibilityTests
{
    [Fact]
    public async Task Cycles_BootTooLongForTheArrivalsAndMaxWarmTooLow_SaySoInNotesOneEventAndTheGauge()
    {
        await using var h = await LoopHarness.CreateAsync(pool: "policy: predictive\n    policySettings: { targetWaitP95: 5s, bootTime: 10m, maxWarm: 1, minArrivals: 0 }");
        await h.Loop.StartAsync(CancellationToken.None);
        Plan? plan = null;
        for (var i = 0; i < 4; i++)
        {
            h.Queue();
            plan = await h.Loop.RunCycleAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromSeconds(10));
        }

        var linux = Assert.Single(plan!.Pools, p => p.Pool == "linux");
        Assert.False(linux.SloFeasible);
        var note = Assert.Single(linux.Notes, n => n.StartsWith("cannot meet the wait target", StringComparison.Ordinal));
        Assert.Contains("targetWaitP95 5s needs", note, StringComparison.Ordinal);
        Assert.Contains("bootTime 10m, but maxWarm 1 allows 1", note, StringComparison.Ordinal);
        var events = (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Where(e => e.Kind == EventKinds.PoolSloChanged).ToList();
        var raised = Assert.Single(events);
        Assert.Equal("linux", raised.Subject);
        // Raised on the change, not again as the forecast (and so the message) moves.
        Assert.StartsWith("cannot meet the wait target: targetWaitP95 5s needs ", raised.Message, StringComparison.Ordinal);
        Assert.Equal("""{"feasible":false}""", raised.DataJson);
        Assert.Equal([0], Gauge(h));
    }

    [Fact]
    public async Task Cycles_TargetWithinReach_FeasibleWithoutNoteOrEvent()
    {
        await using var h = await LoopHarness.CreateAsync(pool: "policy: predictive\n    policySettings: { targetWaitP95: 5s, bootTime: 30s, minArrivals: 0 }");
        await h.Loop.StartAsync(CancellationToken.None);
        Plan? plan = null;
        for (var i = 0; i < 3; i++)
        {
            h.Queue();
            plan = await h.Loop.RunCycleAsync(CancellationToken.None);
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var linux = Assert.Single(plan!.Pools, p => p.Pool == "linux");
        Assert.True(linux.SloFeasible);
        Assert.DoesNotContain(linux.Notes, n => n.StartsWith("cannot meet", StringComparison.Ordinal));
        Assert.DoesNotContain(await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None), e => e.Kind == EventKinds.PoolSloChanged);
        Assert.Equal([1], Gauge(h));
    }

    [Fact]
    public async Task Watch_FeasibilityFlipsAndHolds_OneEventPerChange()
    {
        await using var h = await LoopHarness.CreateAsync();
        var watch = new Drover.Engine.Loop.SloWatch();
        bool?[] cycles = [null, true, true, false, false, false, true, true, false];
        foreach (var feasible in cycles)
        {
            await watch.RecordAsync(h.Store, PlanWith(h, feasible), "engine", CancellationToken.None);
        }

        var events = (await h.Store.ListEventsAsync(new EventQuery(), CancellationToken.None)).Where(e => e.Kind == EventKinds.PoolSloChanged).ToList();
        Assert.Equal(["{\"feasible\":false}", "{\"feasible\":true}", "{\"feasible\":false}"], events.Select(e => e.DataJson));
        Assert.Equal("meets its wait target again", events[1].Message);
        Assert.Equal("cannot meet the wait target: why", events[2].Message);
    }

    private static Plan PlanWith(LoopHarness h, bool? feasible) => new()
    {
        At = h.Time.GetUtcNow(),
        Pools =
        [
            new PoolPlan
            {
                Pool = "linux", Policy = "predictive", Limits = new Drover.Core.Policies.PoolLimits(0, 0, 10, null),
                Demand = new Drover.Core.Policies.PoolDemand(0, 0, []), Runners = Drover.Core.Policies.PoolRunnerCounts.None,
                Desired = 0, Reason = "r", SloFeasible = feasible, Notes = feasible == false ? ["cannot meet the wait target: why"] : [],
            },
        ],
    };

    private static List<int> Gauge(LoopHarness h)
    {
        var values = new List<int>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == h.Metrics.Meter && instrument.Name == "drover_pool_slo_feasible")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => values.Add(value));
        listener.Start();
        listener.RecordObservableInstruments();
        return values;
    }
}
