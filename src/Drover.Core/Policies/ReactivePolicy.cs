namespace Drover.Core.Policies;

/// <summary>
/// ARC scale-set behaviour: one runner per assigned job (waiting or running) plus the pool's warm idle runners,
/// <c>desired = idle + queued + running</c>; the planner clamps to min/max.
/// </summary>
public sealed class ReactivePolicy : IScalingPolicy
{
    public const string PolicyName = "reactive";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        settings.Keys.Select(k => new PolicySettingError(k, $"unknown setting for policy '{PolicyName}' (it takes none)")).ToList();

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var demand = context.Demand;
        var desired = context.Limits.Idle + demand.Queued + demand.Running;
        return new PolicyDecision(desired, $"reactive: {demand.Queued} queued + {demand.Running} running + {context.Limits.Idle} warm = {desired}");
    }
}
