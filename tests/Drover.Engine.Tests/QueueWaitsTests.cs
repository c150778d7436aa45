using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Engine.Loop;
using Drover.Simulation.Demo;

namespace Drover.Engine.Tests;

public sealed class QueueWaitsTests
{
    private static readonly DateTimeOffset _now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void P95_NearestRank_OverJobsStartedInTheLastHour_PerPool()
    {
        var matcher = new PoolMatcher(DemoFleet.Load());
        var jobs = new List<Job>();

        // linux: 20 jobs that waited 1..20 s → nearest-rank p95 is the 19th value, 19 s.
        for (var i = 1; i <= 20; i++)
        {
            jobs.Add(Started($"l{i}", ["linux"], waited: TimeSpan.FromSeconds(i), startedAgo: TimeSpan.FromMinutes(i)));
        }

        // Outside the window, still queued, or matching no pool: not counted.
        jobs.Add(Started("old", ["linux"], waited: TimeSpan.FromHours(3), startedAgo: TimeSpan.FromMinutes(61)));
        jobs.Add(new Job { Key = new JobKey("github", "queued"), State = JobState.Queued, Labels = ["linux"], Scope = "example/app", QueuedAt = _now.AddHours(-2), LastEventAt = _now });
        jobs.Add(Started("windows", ["windows"], waited: TimeSpan.FromHours(1), startedAgo: TimeSpan.FromMinutes(1)));
        jobs.Add(Started("g1", ["linux", "gpu"], waited: TimeSpan.FromSeconds(42), startedAgo: TimeSpan.FromMinutes(5)));

        var p95 = QueueWaits.P95ByPool(jobs, matcher, _now);

        Assert.Equal(19, p95["linux"]);
        Assert.Equal(42, p95["gpu"]);
        Assert.False(p95.ContainsKey("docker"));
    }

    [Fact]
    public void P50_NearestRank_OverTheSameJobsAsP95()
    {
        var matcher = new PoolMatcher(DemoFleet.Load());
        var jobs = new List<Job>();

        // linux: 20 jobs that waited 1..20 s → nearest-rank median is the 10th value, 10 s.
        for (var i = 1; i <= 20; i++)
        {
            jobs.Add(Started($"l{i}", ["linux"], waited: TimeSpan.FromSeconds(i), startedAgo: TimeSpan.FromMinutes(i)));
        }

        jobs.Add(Started("old", ["linux"], waited: TimeSpan.FromHours(3), startedAgo: TimeSpan.FromMinutes(61)));
        jobs.Add(Started("g1", ["linux", "gpu"], waited: TimeSpan.FromSeconds(42), startedAgo: TimeSpan.FromMinutes(5)));
        jobs.Add(Started("g2", ["linux", "gpu"], waited: TimeSpan.FromSeconds(2), startedAgo: TimeSpan.FromMinutes(5)));

        var p50 = QueueWaits.P50ByPool(jobs, matcher, _now);

        Assert.Equal(10, p50["linux"]);
        Assert.Equal(2, p50["gpu"]);
        Assert.False(p50.ContainsKey("docker"));
        Assert.Equal(42, QueueWaits.P95ByPool(jobs, matcher, _now)["gpu"]);
    }

    private static Job Started(string id, IReadOnlyList<string> labels, TimeSpan waited, TimeSpan startedAgo)
    {
        var started = _now - startedAgo;
        return new Job
        {
            Key = new JobKey("github", id),
            State = JobState.Running,
            Labels = labels,
            Scope = "example/app",
            QueuedAt = started - waited,
            StartedAt = started,
            LastEventAt = started,
        };
    }
}
