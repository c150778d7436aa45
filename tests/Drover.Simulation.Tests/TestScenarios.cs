using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Simulation.Baselines;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Tests;

/// <summary>Small scenarios and options shared by the simulator tests.</summary>
internal static class TestScenarios
{
    public static SimulationOptions Boot60 { get; } = SimulationOptions.Default with { Boot = BootTimeDistribution.Fixed(60) };

    /// <summary>The simulated provider's price in these scenarios: 0.48 an on-demand hour, 0.144 a spot hour, per second.</summary>
    public static PriceConfig Price { get; } = new()
    {
        Currency = "USD",
        OnDemand = new RateCard { PerHour = 0.48m },
        Spot = new RateCard { PerHour = 0.144m },
    };

    public static SimulationScenario Of(params SimulatedJob[] jobs) => Of(pool => pool, jobs);

    public static SimulationScenario Of(Func<PoolConfig, PoolConfig> tweak, params SimulatedJob[] jobs)
    {
        var fleet = BaselineCatalog.SinglePoolFleet();
        return new SimulationScenario
        {
            Fleet = fleet with { Providers = [.. fleet.Providers.Select(p => p with { Price = Price })], Pools = [.. fleet.Pools.Select(tweak)] },
            Jobs = jobs,
            LabelSets = [["linux"]],
        };
    }

    public static SimulatedJob Job(double arrival, double duration = 120) => new(arrival, duration, 0);

    public static BaselineEntry Entry(string label) =>
        BaselineCatalog.For([Job(0)]).Single(e => e.Label == label);
}
