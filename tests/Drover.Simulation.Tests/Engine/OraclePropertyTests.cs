using CsCheck;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Simulation.Comparison;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Engine;

public class OraclePropertyTests
{
    private static readonly Gen<SimulatedJob[]> Traces =
        Gen.Select(Gen.Double[0, 3600], Gen.Double[1, 1800], (arrival, duration) => new SimulatedJob(arrival, duration, 0))
            .Array[1, 25];

    [Fact]
    public void Compute_ThreeJobs_SumsBootAndDuration()
    {
        var oracle = Oracle.Compute([Job(0, 120), Job(10, 60), Job(500, 30)], 60);

        Assert.Equal((180 + 120 + 90) / 60.0, oracle.RunnerMinutes, 9);
        Assert.Equal(0, oracle.WaitMaxSeconds);
        Assert.Equal(2, oracle.PeakRunners);
    }

    [Fact]
    public void Compute_ScenarioOfAPricedFleet_CostsItsRunnerMinutesAtTheFleetsPrice()
    {
        SimulatedJob[] jobs = [Job(0, 120), Job(10, 60), Job(500, 30)];
        var fleet = BaselineCatalog.SinglePoolFleet() with
        {
            Providers = [new ProviderConfig { Name = "sim", Type = "simulated", Price = TraceScenario.DefaultPrice }],
        };

        var oracle = Oracle.Compute(new SimulationScenario { Fleet = fleet, Jobs = jobs, LabelSets = [["linux"]] }, 60);
        var result = new Simulator(new SimulationScenario { Fleet = fleet, Jobs = jobs, LabelSets = [["linux"]] }, [new ReactivePolicy()], Boot60).Run();

        // 390 runner-seconds at 0.48 an hour; the simulated run prices its runners from the same price book.
        Assert.Equal(390 * 0.48 / 3600, oracle.Cost, 9);
        Assert.Equal(("USD", "USD"), (oracle.Currency, result.Currency));
        Assert.True(result.Cost >= oracle.Cost - 1e-9, $"a run costs {result.Cost}, below the oracle's {oracle.Cost}");
    }

    [Fact]
    public void Run_AnyPolicy_NeverUsesFewerRunnerMinutesThanTheOracle()
    {
        Traces.Sample(
            jobs =>
            {
                var oracle = Oracle.Compute(jobs, 60);
                foreach (var entry in BaselineCatalog.For(jobs))
                {
                    var result = entry.Run(Of(jobs), Boot60);
                    // ARC's legacy reservations can strand a job (a completion removes another job's reservation): faithful, so not checked.
                    Assert.True(
                        result.JobsCompleted == jobs.Length || entry.Label == "arc-webhook",
                        $"{entry.Label}: {result.JobsCompleted} of {jobs.Length} jobs completed");
                    // When a job was stranded, the bound is the oracle of the jobs that ran: their durations plus one boot each.
                    var bound = result.JobsCompleted == jobs.Length ? oracle.RunnerMinutes : result.BusyMinutes + result.JobsCompleted;
                    Assert.True(
                        result.RunnerMinutes >= bound - 1e-6,
                        $"{entry.Label}: {result.RunnerMinutes} runner-minutes below the oracle's {bound}");
                }
            },
            iter: 25,
            threads: 1);
    }
}
