using System.Diagnostics;
using System.Globalization;
using Drover.Core.Config;
using Drover.Simulation.Baselines;
using Drover.Simulation.Comparison;
using Drover.Simulation.Engine;

namespace Drover.Benchmarks;

/// <summary>
/// <c>dotnet run -c Release -- year [boot seconds] [label...]</c>: the synthetic year (about a million jobs) through
/// each named baseline (all when none is named), printing wait, runner-minutes and cost against the oracle (priced like <c>drover simulate</c>'s default) and wall time.
/// </summary>
internal static class YearRun
{
    public static void Run(string[] args)
    {
        var boot = args.Length > 0 && double.TryParse(args[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var b) ? b : 60;
        var labels = args.Skip(1).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var generate = Stopwatch.StartNew();
        var jobs = SyntheticTrace.Generate(days: 366, seed: 1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{jobs.Count:N0} jobs generated in {generate.Elapsed.TotalSeconds:0.0}s; boot {boot}s"));
        // Priced as `drover simulate` prices its simulated provider by default; the oracle reads the same price book.
        var fleet = BaselineCatalog.SinglePoolFleet() with { Providers = [new ProviderConfig { Name = "sim", Type = "simulated", Price = TraceScenario.DefaultPrice }] };
        var scenario = new SimulationScenario { Fleet = fleet, Jobs = jobs, LabelSets = [["linux"]] };
        var options = SimulationOptions.Default with { Boot = BootTimeDistribution.Fixed(boot) };
        var oracle = Oracle.Compute(scenario, boot);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"oracle: {oracle.RunnerMinutes:N0} runner-minutes, cost {oracle.Cost:N2} {oracle.Currency}, peak {oracle.PeakRunners}"));
        foreach (var entry in BaselineCatalog.For(jobs).Where(e => labels.Count == 0 || labels.Contains(e.Label)))
        {
            var clock = Stopwatch.StartNew();
            var result = entry.Run(scenario, options);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{entry.Label,-22} p50 {result.WaitP50Seconds,6:0.0}s p95 {result.WaitP95Seconds,6:0.0}s p99 {result.WaitP99Seconds,6:0.0}s " +
                $"rm/oracle {result.RunnerMinutes / oracle.RunnerMinutes:0.000} idle {result.IdleMinutes / oracle.RunnerMinutes:0.000} " +
                $"cost {result.Cost:N2} ({result.Cost / oracle.Cost:0.000}x oracle) " +
                $"peak {result.PeakRunners} plans {result.Plans:N0} done {result.JobsCompleted}/{result.Jobs} left {result.RunnersLeft} in {clock.Elapsed.TotalSeconds:0.0}s"));
        }
    }
}
