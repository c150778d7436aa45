using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Baselines;

/// <summary>One baseline variant to simulate: a fresh policy per run, and how it sets up every pool.</summary>
/// <param name="Label">The variant's name in reports (e.g. <c>garm-minidle-5</c>).</param>
/// <param name="CreatePolicy">Makes a fresh policy instance (stateful baselines must not be shared between runs).</param>
/// <param name="Tweak">The pool settings the anchor implies (warm runners, idleTimeout, policy settings).</param>
public sealed record BaselineEntry(string Label, Func<IScalingPolicy> CreatePolicy, Func<PoolConfig, PoolConfig> Tweak)
{
    /// <summary>Runs this baseline on <paramref name="scenario"/>: every pool is tweaked and set to the policy.</summary>
    public SimulationResult Run(SimulationScenario scenario, SimulationOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var policy = CreatePolicy();
        var pools = scenario.Fleet.Pools.Select(p => Tweak(p) with { Policy = policy.Name }).ToList();
        var errors = pools.SelectMany(p => policy.ValidateSettings(p.PolicySettings).Select(e => $"{p.Name}.{e.Key}: {e.Message}")).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException($"baseline {Label}: " + string.Join("; ", errors), nameof(scenario));
        }

        var tweaked = scenario with { Fleet = scenario.Fleet with { Pools = pools } };
        return new Simulator(tweaked, [policy], options).Run(Label, progress);
    }
}
