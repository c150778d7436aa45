using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Simulation.Engine;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Engine;

public class SimulatorTests
{
    private static readonly IReadOnlyList<SimulatedJob> Day = SyntheticTrace.Generate(days: 1, seed: 7);

    private static SimulationResult RunDay(int seed) =>
        new Simulator(
            new SimulationScenario { Fleet = Drover.Simulation.Baselines.BaselineCatalog.SinglePoolFleet(), Jobs = Day, LabelSets = [["linux"]] },
            [new ReactivePolicy()],
            SimulationOptions.Default with { Seed = seed, Boot = BootTimeDistribution.LogNormal(60, 0.5), MaxDeliveryDelay = TimeSpan.FromSeconds(3) })
        .Run();

    [Fact]
    public void Run_SameSeed_GivesIdenticalJson()
    {
        var first = JsonSerializer.Serialize(RunDay(1));
        var second = JsonSerializer.Serialize(RunDay(1));

        Assert.Equal(first, second);
    }

    [Fact]
    public void Run_DifferentSeed_GivesDifferentResult()
    {
        Assert.NotEqual(JsonSerializer.Serialize(RunDay(1)), JsonSerializer.Serialize(RunDay(2)));
    }

    [Fact]
    public void Run_Result_RoundTripsThroughJson()
    {
        var result = RunDay(1);

        var back = JsonSerializer.Deserialize<SimulationResult>(JsonSerializer.Serialize(result))!;

        Assert.Equal(result.WaitP95Seconds, back.WaitP95Seconds);
        Assert.Equal(result.Series.Count, back.Series.Count);
        Assert.Equal(Day.Count, result.Series.Sum(p => p.Arrivals));
    }

    [Fact]
    public void Run_A25HourJob_RunsOnceOnOneRunner_NotReapedByTheBusyTimeout()
    {
        var result = new Simulator(Of(Job(0, duration: 25 * 3600)), [new ReactivePolicy()], Boot60).Run();

        Assert.Equal(1, result.JobsCompleted);
        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal((60 + 25 * 3600) / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_A30HourJob_OnAPoolWhoseRunningJobCeilingIs12Hours_RunsOnceToItsEnd()
    {
        var scenario = Of(p => p with { Timeouts = p.Timeouts with { RunningJob = TimeSpan.FromHours(12), Busy = TimeSpan.FromHours(6) } }, Job(0, duration: 30 * 3600), Job(600));

        var result = new Simulator(scenario, [new ReactivePolicy()], Boot60).Run();

        Assert.Equal(2, result.JobsCompleted);
        Assert.Equal(0, result.JobsRequeued);
        Assert.Equal(2, result.RunnersCreated);
        Assert.Equal((60 + (30 * 3600) + 60 + 120) / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_ASixDayJob_PastGitHubsJobCeilingAndTheDrainLimit_RunsOnceToItsEnd()
    {
        var result = new Simulator(Of(Job(0, duration: 6 * 86_400)), [new ReactivePolicy()], Boot60).Run();

        Assert.Equal(1, result.JobsCompleted);
        Assert.Equal(0, result.JobsRequeued);
        Assert.Equal(1, result.RunnersCreated);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_Reactive_EveryJobWaitsOneBootAndUsesBootPlusDuration()
    {
        var result = new Simulator(Of(Job(0), Job(100), Job(200)), [new ReactivePolicy()], Boot60).Run();

        Assert.Equal(3, result.JobsCompleted);
        Assert.Equal(60, result.WaitP50Seconds, 6);
        Assert.Equal(60, result.WaitMaxSeconds, 6);
        Assert.Equal(3 * (60 + 120) / 60.0, result.RunnerMinutes, 6);
        Assert.Equal(3.0, result.BootingMinutes, 6);
        Assert.Equal(0, result.IdleMinutes, 6);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_CreationFailures_ReplacesWithBackoffAndRunsEveryJob()
    {
        var jobs = Enumerable.Range(0, 40).Select(i => Job(i * 30.0)).ToArray();

        var result = new Simulator(Of(jobs), [new ReactivePolicy()], Boot60 with { CreationFailureRate = 0.3, Seed = 3 }).Run();

        Assert.Equal(40, result.JobsCompleted);
        Assert.True(result.CreationFailures > 0);
        Assert.Equal(40 + result.CreationFailures, result.RunnersCreated);
        Assert.True(result.WaitMaxSeconds >= 120, "a job whose runner failed waits for a second boot at least");
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_SpotInterruptions_RequeueJobsAndStillRunEveryJob()
    {
        var jobs = Enumerable.Range(0, 30).Select(i => Job(i * 60.0, 1800)).ToArray();
        var scenario = Of(p => p with { Template = p.Template with { Spot = SpotPreference.Prefer } }, jobs);

        var result = new Simulator(scenario, [new ReactivePolicy()], Boot60 with { SpotInterruptionsPerRunnerHour = 1.0, Seed = 5 }).Run();

        Assert.Equal(30, result.JobsCompleted);
        Assert.True(result.SpotInterruptions > 0);
        Assert.True(result.JobsRequeued > 0);
        Assert.True(result.SpotCost > 0);
        Assert.Equal(0, result.OnDemandCost, 9);
        Assert.Equal(30 + result.JobsRequeued, result.Series.Sum(p => p.Started));
    }

    [Fact]
    public void Run_LostDelayedAndDuplicatedDeliveries_RunEveryJobExactlyOnce()
    {
        var jobs = Enumerable.Range(0, 200).Select(i => Job(i * 7.0, 90)).ToArray();
        var options = Boot60 with { DeliveryLossProbability = 0.2, DeliveryDuplicationProbability = 0.3, MaxDeliveryDelay = TimeSpan.FromSeconds(5), Seed = 11 };

        var result = new Simulator(Of(jobs), [new ReactivePolicy()], options).Run();

        Assert.Equal(200, result.JobsCompleted);
        Assert.Equal(200, result.Series.Sum(p => p.Started));
        Assert.Equal(0, result.JobsRequeued);
        Assert.Equal(0, result.RunnersLeft);
    }

    [Fact]
    public void Run_WarmPool_KeepsItsWarmRunnersAfterTheLastJob()
    {
        var result = new Simulator(Of(p => p with { Idle = 3, Policy = "idle-pool" }, Job(0), Job(10)), [new IdlePoolPolicy()], Boot60).Run();

        Assert.Equal(2, result.JobsCompleted);
        Assert.Equal(3, result.RunnersLeft);
    }

    [Fact]
    public void Run_Twice_Throws()
    {
        var simulator = new Simulator(Of(Job(0)), [new ReactivePolicy()], Boot60);
        simulator.Run();

        Assert.Throws<InvalidOperationException>(() => simulator.Run());
    }

    [Fact]
    public void Constructor_InvalidOptions_ReportsEveryProblem()
    {
        var options = Boot60 with { CreationFailureRate = 1.5, ResyncInterval = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(() => new Simulator(Of(Job(0)), [new ReactivePolicy()], options));

        Assert.Contains("creation failure rate", error.Message, StringComparison.Ordinal);
        Assert.Contains("resync interval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Progress_ReachesOne()
    {
        var reports = new List<double>();
        new Simulator(Of(Job(0), Job(5)), [new ReactivePolicy()], Boot60).Run(progress: new SyncProgress(reports));

        Assert.Equal(1.0, reports[^1]);
    }

    private sealed class SyncProgress(List<double> reports) : IProgress<double>
    {
        public void Report(double value) => reports.Add(value);
    }
}
