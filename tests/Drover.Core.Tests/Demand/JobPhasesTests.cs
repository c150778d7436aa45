using Drover.Core.Demand;
using Drover.Core.Runners;
using Drover.Core.Tests.Runners;

namespace Drover.Core.Tests.Demand;

public sealed class JobPhasesTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Between_ColdRunnerMilestonesInOrder_EachPhaseIsTheGapBetweenThem()
    {
        var phases = JobPhases.Between(
            Created, Created.AddMilliseconds(400), Created.AddMilliseconds(500), Created.AddMilliseconds(2_500), Created.AddMilliseconds(32_600), Created.AddMilliseconds(33_800), Created.AddMilliseconds(37_100));

        Assert.Equal(TimeSpan.FromMilliseconds(400), phases.Intake);
        Assert.Equal(TimeSpan.FromMilliseconds(100), phases.Decision);
        Assert.Equal(TimeSpan.FromMilliseconds(2_000), phases.Provisioning);
        Assert.Equal(TimeSpan.FromMilliseconds(30_100), phases.Boot);
        Assert.Equal(TimeSpan.FromMilliseconds(1_200), phases.Registration);
        Assert.Equal(TimeSpan.FromMilliseconds(3_300), phases.Pickup);
        Assert.Equal(TimeSpan.FromMilliseconds(37_100), phases.Total);
    }

    [Fact]
    public void Between_WarmRunnerReadyBeforeTheJobWasKnown_PickupCarriesAllButIntake()
    {
        var phases = JobPhases.Between(
            Created, Created.AddSeconds(1), Created.AddMinutes(-10), Created.AddMinutes(-9), Created.AddMinutes(-8), Created.AddMinutes(-8), Created.AddSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(1), phases.Intake);
        Assert.Equal(TimeSpan.Zero, phases.Decision);
        Assert.Equal(TimeSpan.Zero, phases.Provisioning);
        Assert.Equal(TimeSpan.Zero, phases.Boot);
        Assert.Equal(TimeSpan.Zero, phases.Registration);
        Assert.Equal(TimeSpan.FromSeconds(3), phases.Pickup);
    }

    [Fact]
    public void Between_RegistrationNeverSeenOnline_BootRunsToReadyAndRegistrationIsZero()
    {
        var phases = JobPhases.Between(
            Created, Created.AddSeconds(1), Created.AddSeconds(2), Created.AddSeconds(5), null, Created.AddSeconds(20), Created.AddSeconds(21));

        Assert.Equal(TimeSpan.FromSeconds(15), phases.Boot);
        Assert.Equal(TimeSpan.Zero, phases.Registration);
        Assert.Equal(TimeSpan.FromSeconds(1), phases.Pickup);
    }

    [Fact]
    public void Between_JobLearntOfOnlyAfterItStarted_IntakeIsTheWholeWait()
    {
        var phases = JobPhases.Between(
            Created, Created.AddSeconds(50), Created.AddSeconds(51), Created.AddSeconds(52), Created.AddSeconds(53), Created.AddSeconds(54), Created.AddSeconds(30));

        Assert.Equal(TimeSpan.FromSeconds(30), phases.Intake);
        Assert.Equal(TimeSpan.FromSeconds(30), phases.Total);
        Assert.All(phases.Each().Skip(1), p => Assert.Equal(TimeSpan.Zero, p.Duration));
    }

    [Fact]
    public void Between_RandomMilestones_PhasesAreNeverNegativeAndSumToTheWaitExactly()
    {
        var random = new Random(20261207);
        for (var i = 0; i < 5_000; i++)
        {
            DateTimeOffset At() => Created.AddTicks(random.NextInt64(-TimeSpan.TicksPerMinute, 10 * TimeSpan.TicksPerMinute));
            DateTimeOffset? Maybe() => random.Next(4) == 0 ? null : At();
            var started = At();

            var phases = JobPhases.Between(Created, At(), At(), Maybe(), Maybe(), Maybe(), started);

            Assert.All(phases.Each(), p => Assert.True(p.Duration >= TimeSpan.Zero, $"{p.Name} is {p.Duration}"));
            Assert.Equal(started < Created ? TimeSpan.Zero : started - Created, phases.Total);
        }
    }

    [Fact]
    public void Of_JobWithoutRunnerMilestonesOrKnownTime_HasNoPhases()
    {
        var job = new Job
        {
            Key = new JobKey("github", "1"),
            State = JobState.Running,
            QueuedAt = Created,
            StartedAt = Created.AddSeconds(10),
            LastEventAt = Created.AddSeconds(10),
            KnownAt = Created.AddSeconds(1),
        };
        var times = new JobRunnerTimes { RunnerId = "r-1", RequestedAt = Created.AddSeconds(2), ReadyAt = Created.AddSeconds(8) };

        Assert.Null(JobPhases.Of(job));
        Assert.Null(JobPhases.Of(job with { KnownAt = null, RunnerTimes = times }));
        Assert.Null(JobPhases.Of(job with { StartedAt = null, RunnerTimes = times }));
        var phases = JobPhases.Of(job with { RunnerTimes = times });
        Assert.NotNull(phases);
        Assert.Equal(TimeSpan.FromSeconds(6), phases.Provisioning);
        Assert.Equal(TimeSpan.FromSeconds(2), phases.Pickup);
    }

    [Fact]
    public void Names_AreThePhasesInOrder()
    {
        var phases = new JobPhases(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));

        Assert.Equal(JobPhases.Names, phases.Each().Select(p => p.Name));
        Assert.Equal([1d, 2, 3, 4, 5, 6], phases.Each().Select(p => p.Duration.TotalSeconds));
    }

    [Fact]
    public void Ledger_KnownAt_IsTheEarliestReceiptWhateverTheOrder()
    {
        var key = new JobKey("github", "7");
        var ledger = new JobLedger();

        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Started, At = Created.AddSeconds(5), ReceivedAt = Created.AddSeconds(9), RunnerName = "r-1" });
        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = Created, ReceivedAt = Created.AddSeconds(1) });
        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = Created, ReceivedAt = Created.AddSeconds(3) });

        Assert.Equal(Created.AddSeconds(1), ledger.Get(key)!.KnownAt);
    }

    [Fact]
    public void Ledger_AttachRunnerTimes_AttachesOnceAndKeepsTheIndexes()
    {
        var key = new JobKey("github", "8");
        var ledger = new JobLedger();
        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Started, At = Created, RunnerName = "r-1" });
        var first = new JobRunnerTimes { RunnerId = "r-1", RequestedAt = Created.AddSeconds(-30) };

        var attached = ledger.AttachRunnerTimes(key, first);
        var again = ledger.AttachRunnerTimes(key, first with { RequestedAt = Created });

        Assert.Equal(first, attached?.RunnerTimes);
        Assert.Null(again);
        Assert.Equal(first, Assert.Single(ledger.Running).RunnerTimes);
        Assert.Null(ledger.AttachRunnerTimes(new JobKey("github", "unknown"), first));
    }

    [Fact]
    public void Lifecycle_Milestones_AreSetOnceOnEnteringProvisioningAndOnBecomingReady()
    {
        var runner = TestRunners.Make(RunnerState.Requested, TestRunners.Start);

        var provisioning = RunnerLifecycle.Transition(runner, RunnerState.Provisioning, TestRunners.Start.AddSeconds(2)).Runner;
        var registering = RunnerLifecycle.Transition(provisioning, RunnerState.Registering, TestRunners.Start.AddSeconds(20)).Runner;
        var idle = RunnerLifecycle.Transition(registering, RunnerState.Idle, TestRunners.Start.AddSeconds(30)).Runner;
        var busy = RunnerLifecycle.Transition(idle, RunnerState.Busy, TestRunners.Start.AddSeconds(40)).Runner;
        var idleAgain = RunnerLifecycle.Transition(busy, RunnerState.Idle, TestRunners.Start.AddSeconds(50)).Runner;

        Assert.Null(runner.ProvisionedAt);
        Assert.Null(registering.ReadyAt);
        Assert.Equal(TestRunners.Start.AddSeconds(2), idleAgain.ProvisionedAt);
        Assert.Equal(TestRunners.Start.AddSeconds(30), idleAgain.ReadyAt);
    }
}
