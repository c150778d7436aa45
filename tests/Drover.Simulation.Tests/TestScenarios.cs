using Drover.Core.Config;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Tests;

/// <summary>Small scenarios and options shared by the simulator tests.</summary>
internal static class TestScenarios
{
    public static SimulationOptions Boot60 { get; } = SimulationOptions.Default with { Boot = BootTimeDistribution.Fixed(60) };

    public static SimulationScenario Of(params SimulatedJob[] jobs) => Of(pool => pool, jobs);

    public static SimulationScenario Of(Func<PoolConfig, PoolConfig> tweak, params SimulatedJob[] jobs)
    {
        var fleet = BaselineCatalog.SinglePoolFleet();
        return new SimulationScenario
        {
            Fleet = fleet with { Pools = [.. fleet.Pools.Select(tweak)] },
            Jobs = jobs,
            LabelSets = [["linux"]],
        };
    }

    public static SimulatedJob Job(double arrival, double duration = 120) => new(arrival, duration, 0);

    public static BaselineEntry Entry(string label) =>
        BaselineCatalog.For([Job(0)]).Single(e => e.Label == label);
}
