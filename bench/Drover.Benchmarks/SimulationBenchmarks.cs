using BenchmarkDotNet.Attributes;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;

namespace Drover.Benchmarks;

/// <summary>A simulated week of bursty demand (about 20,000 jobs) through the full control loop, per baseline.</summary>
[MemoryDiagnoser]
public class SimulationBenchmarks
{
    private SimulationScenario _scenario = null!;
    private IReadOnlyList<BaselineEntry> _catalog = null!;

    [Params("arc-scale-set-min-0", "garm-minidle-5", "philips")]
    public string Baseline { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var jobs = SyntheticTrace.Generate(days: 7, seed: 1);
        _scenario = new SimulationScenario { Fleet = BaselineCatalog.SinglePoolFleet(), Jobs = jobs, LabelSets = [["linux"]] };
        _catalog = BaselineCatalog.For(jobs);
    }

    [Benchmark]
    public SimulationResult Week() => _catalog.First(e => e.Label == Baseline).Run(_scenario, SimulationOptions.Default);
}
