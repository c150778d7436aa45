using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>
/// GitLab Runner docker-autoscaler (taskscaler). On each update tick (<c>updateSeconds</c>, 60):
/// <c>desired = ceil((in use + pending + idle_count) / capacityPerInstance)</c>, idle_count being the pool's
/// <c>idle</c>; between ticks the instance count does not change. How long an idle instance lives (idle_time) is the
/// pool's <c>idleTimeout</c> (20 min in the catalog). Ephemeral pools match <c>max_use_count = 1</c>.
/// </summary>
public sealed class GitLabTaskscalerPolicy : IScalingPolicy
{
    public const string PolicyName = "gitlab-taskscaler";
    public const string UpdateKey = "updateSeconds";
    public const string CapacityKey = "capacityPerInstance";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int> { [UpdateKey] = 1, [CapacityKey] = 1 });

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = context.Pool.PolicySettings;
        var update = BaselineSettings.Seconds(settings, UpdateKey, TimeSpan.FromMinutes(1), 1);
        var capacity = BaselineSettings.Int(settings, CapacityKey, 1, 1);
        var slots = (long)context.Demand.Running + context.Demand.Queued + Math.Max(0, context.Limits.Idle);
        var wanted = (int)Math.Min(int.MaxValue, (slots + capacity - 1) / capacity);
        var active = context.Runners.Active;
        if (!LoopTicks.IsTick(context.Now, update))
        {
            return new PolicyDecision(active, $"gitlab-taskscaler: between update ticks, keeping {active}")
            {
                RecheckAt = wanted != active ? LoopTicks.After(context.Now, update) : null,
            };
        }

        return new PolicyDecision(
            wanted,
            $"gitlab-taskscaler: {context.Demand.Running} in use + {context.Demand.Queued} pending + idle_count {context.Limits.Idle} over {capacity} slot(s)/instance = {wanted}")
        {
            // Surplus idle instances go once idle_time has passed; the planner wakes for that itself.
            RecheckAt = null,
        };
    }
}
