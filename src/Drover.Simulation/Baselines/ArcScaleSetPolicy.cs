using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>
/// ARC in scale-set mode: <c>target = min(minRunners + assigned jobs, maxRunners)</c>, assigned = waiting + running.
/// <c>minRunners</c> is the pool's <c>idle</c> (warm runners on top of demand); the planner applies <c>max</c>.
/// The same rule as Drover's <c>reactive</c>; its own name so reports say which anchor they reproduce.
/// Scale-down at once (ARC removes idle runners without delay): the catalog sets <c>idleTimeout</c> 0.
/// </summary>
public sealed class ArcScaleSetPolicy : IScalingPolicy
{
    public const string PolicyName = "arc-scale-set";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int>());

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var minRunners = context.Limits.Idle;
        var desired = minRunners + context.Demand.Assigned;
        return new PolicyDecision(desired, $"arc-scale-set: minRunners {minRunners} + {context.Demand.Assigned} assigned jobs = {desired}");
    }
}
