using Drover.Core.Demand;

namespace Drover.Core.Tests.Demand;

/// <summary>The ledger's upkeep looks at the jobs it acts on, not at everything it holds.</summary>
public sealed class JobLedgerWorkTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Prune_HourOfFinishedJobs_EachCallLooksOnlyAtTheJobsItDrops()
    {
        var ledger = new JobLedger();
        for (var i = 0; i < 10_000; i++)
        {
            ledger.Apply(new JobEvent { Key = new JobKey("github", $"j{i}"), Kind = JobEventKind.Completed, At = T0.AddSeconds(i / 10.0) });
        }

        // A cycle a second, as the control loop prunes: each drops the ten jobs that finished in that second.
        for (var second = 1; second <= 100; second++)
        {
            Assert.Equal(10, ledger.Prune(T0.AddSeconds(second)));
        }

        Assert.Equal(9_000, ledger.Count);
        Assert.Equal(1_000, ledger.Examined);
    }

    [Fact]
    public void ExpireStale_BacklogOfWaitingJobs_LooksOnlyAtTheJobsThatExpire()
    {
        var ledger = new JobLedger();
        for (var i = 0; i < 5_000; i++)
        {
            ledger.Apply(new JobEvent { Key = new JobKey("github", $"j{i}"), Kind = JobEventKind.Queued, At = T0.AddSeconds(i), Labels = ["linux"] });
        }

        // A queued event again holds the first job back from expiry.
        ledger.Apply(new JobEvent { Key = new JobKey("github", "j0"), Kind = JobEventKind.Queued, At = T0.AddHours(2), Labels = ["linux"] });

        for (var cycle = 0; cycle < 100; cycle++)
        {
            ledger.ExpireStale(T0.AddHours(1).AddSeconds(cycle), TimeSpan.FromHours(1));
        }

        // j1..j98 expired (more than an hour old at the last cycle); j0's first entry was looked at and passed over.
        Assert.Equal(5_000 - 98, ledger.Waiting.Count);
        Assert.Equal(JobState.Queued, ledger.Get(new JobKey("github", "j0"))!.State);
        Assert.Equal(JobState.Expired, ledger.Get(new JobKey("github", "j98"))!.State);
        Assert.Equal(99, ledger.Examined);
    }

    [Fact]
    public void JobsOn_RunnerName_FollowsStartFinishRevivalAndPrune()
    {
        var ledger = new JobLedger();
        var first = new JobKey("github", "1");
        var second = new JobKey("github", "2");
        ledger.Apply(new JobEvent { Key = first, Kind = JobEventKind.Started, At = T0, RunnerName = "r" });
        Assert.Equal(((JobKey?)first, (JobKey?)null), ledger.JobsOn("r"));

        ledger.Apply(new JobEvent { Key = first, Kind = JobEventKind.Completed, At = T0.AddMinutes(1) });
        ledger.Apply(new JobEvent { Key = second, Kind = JobEventKind.Started, At = T0.AddMinutes(2), RunnerName = "r" });
        Assert.Equal(((JobKey?)second, (JobKey?)first), ledger.JobsOn("r"));

        ledger.Prune(T0.AddMinutes(5));
        Assert.Equal(((JobKey?)second, (JobKey?)null), ledger.JobsOn("r"));
        Assert.Equal(((JobKey?)null, (JobKey?)null), ledger.JobsOn("unknown"));
    }
}
