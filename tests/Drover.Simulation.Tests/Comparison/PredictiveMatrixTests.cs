using System.Globalization;
using Drover.Core.Traces;
using Drover.Simulation.Comparison;
using Drover.Simulation.Engine;
using Drover.Simulation.Reports;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Comparison;

/// <summary>
/// The predictive policy against every other policy on synthetic loads (docs/simulation.md, "The synthetic matrix").
/// The suite runs a reduced matrix (one seed, 3 days, a low and a high rate, 60 s boot); set
/// <c>DROVER_PREDICTIVE_MATRIX=full</c> for the documented one: seeds 1–5 × rates 30/100/300 × boot 60/90/180 s over
/// 14 days (about 45 runs of every policy; tens of minutes on the 2-core build machine).
/// </summary>
public sealed class PredictiveMatrixTests
{
    private static readonly bool Full = string.Equals(Environment.GetEnvironmentVariable("DROVER_PREDICTIVE_MATRIX"), "full", StringComparison.Ordinal);

    public static TheoryData<int, int, int> Matrix()
    {
        var data = new TheoryData<int, int, int>();
        int[] seeds = Full ? [1, 2, 3, 4, 5] : [1];
        int[] rates = Full ? [30, 100, 300] : [30, 300];
        int[] boots = Full ? [60, 90, 180] : [60];
        foreach (var seed in seeds)
        {
            foreach (var rate in rates)
            {
                foreach (var boot in boots)
                {
                    data.Add(seed, rate, boot);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Matrix))]
    public void Predictive_OnSyntheticLoad_IsNotDominated_AndWithinTwoPercentOfAnyPolicyThatWaitsNoLonger(int seed, int rate, int boot)
    {
        var report = Run(new SyntheticTraceOptions { Days = Full ? 14 : 3, Seed = seed, BaseJobsPerHour = rate }, seed, boot, policies: null);
        var predictive = report.Results.Single(r => r.Policy == "predictive");

        Assert.True(SimulationReport.IsComplete(predictive));
        foreach (var other in report.Results.Where(r => r.Policy != "predictive" && SimulationReport.IsComplete(r)))
        {
            if (other.WaitP95Seconds <= predictive.WaitP95Seconds)
            {
                Assert.True(
                    predictive.RunnerMinutes <= other.RunnerMinutes * 1.02,
                    string.Create(CultureInfo.InvariantCulture, $"seed {seed} rate {rate} boot {boot}s: {other.Policy} waits {other.WaitP95Seconds:0.#} s at p95 for {other.RunnerMinutes:0} runner-minutes; predictive waits {predictive.WaitP95Seconds:0.#} s for {predictive.RunnerMinutes:0} ({predictive.RunnerMinutes / other.RunnerMinutes:0.000}x)"));
            }
        }
    }

    /// <summary>
    /// Where the wait target was missed the plans said so (the target is not missed silently): on the matrix's bunched
    /// loads (one push in ten fans out a matrix) and on loads of single jobs at a steady rate. Two weeks, so the
    /// hour-of-week forecast has a week to learn from (predictive alone: a few seconds a case). It does not assert that
    /// the target is met on the steady loads: it is not (p95 39 s at rate 300, 60 s at rate 100; docs/simulation.md).
    /// </summary>
    [Theory]
    [InlineData(1, 300, 0.1)]
    [InlineData(1, 300, 0.0)]
    [InlineData(2, 100, 0.0)]
    public void SloMode_MeetsTheTargetWhereItSaidItCould_AndSaysSoWhereItCannot(int seed, int rate, double matrices)
    {
        var options = new SyntheticTraceOptions
        {
            Days = 14,
            Seed = seed,
            BaseJobsPerHour = rate,
            BurstProbability = matrices,
            PushJobsMax = matrices > 0 ? 3 : 1,
            LabelMix = [new LabelWeight(LabelSet.Create(["linux"]), 1.0)],
        };
        var report = Run(options, seed, boot: 60, policies: ["predictive"]);
        var predictive = report.Results.Single(r => r.Policy == "predictive");
        var target = PolicyComparison.DefaultTargetWait.TotalSeconds;

        var why = string.Create(CultureInfo.InvariantCulture, $"p95 {predictive.WaitP95Seconds:0.#} s; plans said infeasible for {predictive.SloInfeasibleSeconds:0} s, feasible for {predictive.SloFeasibleSeconds:0} s");
        if (predictive.WaitP95Seconds > target)
        {
            Assert.True(predictive.SloInfeasibleSeconds > 0, why);
        }

        if (matrices > 0)
        {
            // Bunched arrivals: the plans say the target is out of reach for most of the run.
            Assert.True(predictive.SloInfeasibleSeconds > predictive.SloFeasibleSeconds, why);
        }
    }

    private static SimulationReport Run(SyntheticTraceOptions traceOptions, int seed, int boot, IReadOnlyList<string>? policies)
    {
        var trace = new SyntheticTraceGenerator(traceOptions).Generate();
        var scenario = TraceScenario.From(trace);
        var options = SimulationOptions.Default with
        {
            Seed = seed,
            Boot = BootTimeDistribution.Fixed(boot),
            Start = trace.Start ?? DateTimeOffset.UnixEpoch,
        };
        var entries = policies is null ? PolicyComparison.AllEntries(scenario, options) : PolicyComparison.Select(policies, scenario, options);
        return PolicyComparison.Run(trace.Name, [], scenario, entries, options);
    }
}
