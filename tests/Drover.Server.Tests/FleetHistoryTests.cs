using Drover.Core.Cost;
using Drover.Core.Runners;
using Drover.Engine.Loop;
using Drover.Server.History;
using Drover.Simulation.Demo;

namespace Drover.Server.Tests;

/// <summary>The dashboard's chart history: the bounded ring, its read by step, and what one sample holds.</summary>
public sealed class FleetHistoryTests
{
    private static readonly DateTimeOffset _t0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_BeyondCapacity_DropsTheOldest_AndKeepsTheOrder()
    {
        var history = new FleetHistory(TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2));
        Assert.Equal(4, history.Capacity);
        for (var i = 0; i < 7; i++)
        {
            history.Add(Empty(_t0.AddSeconds(30 * i)));
        }

        Assert.Equal(4, history.Count);
        var kept = history.Read(DateTimeOffset.MinValue, TimeSpan.FromSeconds(1));
        Assert.Equal([90, 120, 150, 180], kept.Select(s => (s.At - _t0).TotalSeconds).ToArray());
    }

    [Fact]
    public void Read_FromAndStep_KeepsTheNewestSampleOfEachStep()
    {
        var history = new FleetHistory(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1));
        for (var i = 0; i < 12; i++)
        {
            history.Add(Empty(_t0.AddSeconds(10 * i)));
        }

        // From 20 s on, one per 30 s: buckets [20,50) [50,80) [80,110) [110,140) → their newest: 40, 70, 100, 110.
        var read = history.Read(_t0.AddSeconds(20), TimeSpan.FromSeconds(30));
        Assert.Equal([40, 70, 100, 110], read.Select(s => (s.At - _t0).TotalSeconds).ToArray());
        Assert.Empty(history.Read(_t0.AddHours(1), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Constructor_MoreThanMaxCapacitySamples_IsRefusedWithTheNumbers()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new FleetHistory(TimeSpan.FromSeconds(1), TimeSpan.FromDays(2)));
        Assert.Contains("172800 samples", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new FleetHistory(TimeSpan.Zero, TimeSpan.FromHours(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FleetHistory(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Of_ASnapshot_CountsRunnersByState_DemandCapacityWaitsAndCostPerPool()
    {
        var config = DemoFleet.Load();
        var linux = config.FindPool("linux")!;
        Runner[] runners =
        [
            Runner("r1", "linux", RunnerState.Busy),
            Runner("r2", "linux", RunnerState.Busy),
            Runner("r3", "linux", RunnerState.Idle),
            Runner("r4", "linux", RunnerState.Provisioning),
            Runner("r5", "linux", RunnerState.Requested),
            Runner("r6", "linux", RunnerState.Failed),
            Runner("g1", "gpu", RunnerState.Draining),
        ];
        var snapshot = new LoopSnapshot
        {
            At = _t0,
            Config = config,
            Runners = runners,
            QueuedByPool = new Dictionary<string, int>(StringComparer.Ordinal) { ["linux"] = 3 },
            WaitP50ByPool = new Dictionary<string, double>(StringComparer.Ordinal) { ["linux"] = 4.04 },
            WaitP95ByPool = new Dictionary<string, double>(StringComparer.Ordinal) { ["linux"] = 31.26 },
        };

        var sample = FleetSample.Of(snapshot, _t0.AddSeconds(1));

        Assert.Equal(config.Pools.Select(p => p.Name).ToArray(), sample.Pools.Select(p => p.Pool).ToArray());
        var l = sample.Pools.Single(p => p.Pool == "linux");
        Assert.Equal((3, 2, 5), (l.Queued, l.Running, l.Active));
        Assert.Null(l.Desired);
        Assert.Equal(2, l.Runners["busy"]);
        Assert.Equal(1, l.Runners["failed"]);
        Assert.Equal(0, l.Runners["draining"]);
        Assert.False(l.Runners.ContainsKey("gone"));
        Assert.Equal((4.0, 31.3), (l.WaitP50Seconds!.Value, l.WaitP95Seconds!.Value));

        // Billed: busy ×2, idle, provisioning (not requested, not failed).
        var price = PriceBook.For(config, linux, linux.Provider);
        Assert.True(price.PerHour > 0, "the demo prices its linux pool");
        Assert.Equal(decimal.Round(4 * price.PerHour, 6), l.CostPerHour);
        Assert.Equal(price.Currency, l.Currency);

        var gpu = sample.Pools.Single(p => p.Pool == "gpu");
        Assert.Equal((0, 0, 1), (gpu.Queued, gpu.Active, gpu.Runners["draining"]));
        Assert.Null(gpu.WaitP95Seconds);
    }

    private static FleetSample Empty(DateTimeOffset at) => new(at, []);

    private static Runner Runner(string id, string pool, RunnerState state) => new()
    {
        Id = id,
        Pool = pool,
        Provider = "sim",
        IdempotencyKey = id,
        State = state,
        StateSince = _t0.AddMinutes(-1),
        CreatedAt = _t0.AddMinutes(-2),
    };
}
