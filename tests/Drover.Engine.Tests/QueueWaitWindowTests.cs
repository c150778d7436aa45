using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Ports;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Simulation.Demo;
using Drover.Storage;
using Drover.Testing;

namespace Drover.Engine.Tests;

/// <summary>
/// The per-pool queue-wait percentiles of the snapshot, fed from job starts: the same figures as a full scan of the
/// ledger (<see cref="QueueWaits"/>), for work that follows the starts rather than the hour of jobs the ledger holds.
/// </summary>
public sealed class QueueWaitWindowTests : IAsyncLifetime
{
    private static readonly DateTimeOffset _start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _directory = new("drover-waits-");
    private readonly FleetConfig _fleet = DemoFleet.Load();
    private IStateStore _store = null!;

    public async Task InitializeAsync() => _store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory.Path, "state.db"), CancellationToken.None);

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Percentiles_OnARandomStreamWithReorderingAndPruning_EqualAFullScanOfTheLedger()
    {
        using var metrics = new EngineMetrics();
        var intake = new DemandIntake(metrics);
        var matcher = new PoolMatcher(_fleet);
        var random = new Random(19);
        string[][] labelSets = [["linux"], ["linux", "gpu"], ["docker"], ["windows"]];
        var pending = new List<JobEvent>();
        var now = _start;
        for (var step = 0; step < 300; step++)
        {
            // A few jobs a step; their events arrive over the following steps, sometimes started before queued.
            for (var j = 0; j < random.Next(0, 6); j++)
            {
                var key = new JobKey(random.Next(3) == 0 ? "gitlab" : "github", $"s{step}-{j}");
                var labels = labelSets[random.Next(labelSets.Length)];
                var queuedAt = now - TimeSpan.FromSeconds(random.Next(0, 30));
                var startedAt = queuedAt + TimeSpan.FromSeconds(random.Next(0, 600));
                var completedAt = startedAt + TimeSpan.FromSeconds(random.Next(1, 1200));
                pending.Add(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = queuedAt, Labels = labels, Scope = "example/app" });
                pending.Add(new JobEvent { Key = key, Kind = JobEventKind.Started, At = startedAt, Labels = labels, Scope = "example/app", RunnerName = $"r-{step}-{j}" });
                pending.Add(new JobEvent { Key = key, Kind = JobEventKind.Completed, At = completedAt, Labels = labels, Scope = "example/app" });
            }

            now += TimeSpan.FromSeconds(30);
            foreach (var e in pending.Where(e => e.At <= now || random.Next(20) == 0).ToList())
            {
                pending.Remove(e);
                intake.Enqueue(e);
            }

            await intake.DrainAsync(_store, _fleet, matcher, now, TimeSpan.FromHours(1), CancellationToken.None);
            var (p95, p50) = intake.Waits.Percentiles(now);
            Assert.Equal(Sorted(QueueWaits.P95ByPool(intake.Ledger.Jobs, matcher, now)), Sorted(p95));
            Assert.Equal(Sorted(QueueWaits.P50ByPool(intake.Ledger.Jobs, matcher, now)), Sorted(p50));
        }

        // The stream ran 2.5 hours: waits aged out of the window, and some pools had several.
        Assert.True(intake.Waits.Count > 50, $"only {intake.Waits.Count} waits in the window");
    }

    [Fact]
    public async Task Percentiles_WithAnHourOfFinishedJobsHeld_LookOnlyAtTheNewStartAndItsPool()
    {
        using var metrics = new EngineMetrics();
        var intake = new DemandIntake(metrics);
        var matcher = new PoolMatcher(_fleet);
        var now = _start;

        // 10,000 GitLab jobs that waited and finished within the hour, and 10 on the GitHub linux pool.
        for (var i = 0; i < 10_010; i++)
        {
            var (forge, labels) = i < 10_000 ? ("gitlab", new[] { "docker" }) : ("github", new[] { "linux" });
            var held = new JobKey(forge, $"j{i}");
            var queuedAt = now - TimeSpan.FromMinutes(50) + TimeSpan.FromMilliseconds(i);
            intake.Enqueue(new JobEvent { Key = held, Kind = JobEventKind.Queued, At = queuedAt, Labels = labels, Scope = "example/app" });
            intake.Enqueue(new JobEvent { Key = held, Kind = JobEventKind.Started, At = queuedAt.AddSeconds(i % 60), RunnerName = $"r{i}" });
            intake.Enqueue(new JobEvent { Key = held, Kind = JobEventKind.Completed, At = queuedAt.AddMinutes(5) });
        }

        await intake.DrainAsync(_store, _fleet, matcher, now, TimeSpan.FromHours(1), CancellationToken.None);
        var first = intake.Waits.Percentiles(now);
        Assert.Equal(10_010, intake.Ledger.Count);
        Assert.Equal(2, first.P95.Count);

        // A cycle with nothing new does no work and hands out the same figures.
        var examined = intake.Waits.Examined;
        now += TimeSpan.FromSeconds(1);
        await intake.DrainAsync(_store, _fleet, matcher, now, TimeSpan.FromHours(1), CancellationToken.None);
        Assert.Same(first.P95, intake.Waits.Percentiles(now).P95);
        Assert.Equal(examined, intake.Waits.Examined);

        // One more start on linux: the cycle records it and sorts linux's 11 waits; the 10,000 others are not looked at.
        var key = new JobKey("github", "late");
        intake.Enqueue(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = now.AddSeconds(-90), Labels = ["linux"], Scope = "example/app" });
        intake.Enqueue(new JobEvent { Key = key, Kind = JobEventKind.Started, At = now, RunnerName = "r-late" });
        await intake.DrainAsync(_store, _fleet, matcher, now, TimeSpan.FromHours(1), CancellationToken.None);
        var (p95, _) = intake.Waits.Percentiles(now);
        Assert.Equal(1 + 11, intake.Waits.Examined - examined);
        Assert.Equal(90, p95["linux"]);
        Assert.Equal(QueueWaits.P95ByPool(intake.Ledger.Jobs, matcher, now)["docker"], p95["docker"]);
    }

    [Fact]
    public async Task Restore_RunningJobs_CountTheirWaitsFromTheFirstCycle()
    {
        using var metrics = new EngineMetrics();
        var intake = new DemandIntake(metrics);
        var matcher = new PoolMatcher(_fleet);
        intake.Restore([new Job
        {
            Key = new JobKey("github", "r1"),
            State = JobState.Running,
            Labels = ["linux"],
            Scope = "example/app",
            QueuedAt = _start.AddMinutes(-10),
            StartedAt = _start.AddMinutes(-9),
            RunnerName = "r",
            LastEventAt = _start.AddMinutes(-9),
        }]);

        await intake.DrainAsync(_store, _fleet, matcher, _start, TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal(60, intake.Waits.Percentiles(_start).P95["linux"]);
        Assert.Equal(QueueWaits.P95ByPool(intake.Ledger.Jobs, matcher, _start), intake.Waits.Percentiles(_start).P95);
    }

    private static List<KeyValuePair<string, double>> Sorted(IReadOnlyDictionary<string, double> byPool) =>
        [.. byPool.OrderBy(p => p.Key, StringComparer.Ordinal)];
}
