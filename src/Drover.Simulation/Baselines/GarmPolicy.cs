using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>
/// GARM (cloudbase/garm). Its loop runs every <c>loopSeconds</c> (5): queued jobs at least <c>minJobAgeSeconds</c> (30)
/// old each get a runner (counted at the first loop tick after they reach that age), and <c>minIdle</c> (the pool's
/// <c>idle</c>) idle runners are topped up: target = busy + counted jobs + minIdle, only ever raised on a loop tick.
/// Every <c>scaleDownSeconds</c> (60) the idle runners beyond <c>minIdle + queued</c> are removed, half of them per
/// pass. Between ticks nothing changes. Stateless: ticks are instants on the virtual clock, and the policy asks to be
/// planned again at the next tick it needs (<see cref="PolicyDecision.RecheckAt"/>). The catalog sets <c>idleTimeout</c> 0.
/// </summary>
public sealed class GarmPolicy : IScalingPolicy
{
    public const string PolicyName = "garm";
    public const string LoopKey = "loopSeconds";
    public const string MinJobAgeKey = "minJobAgeSeconds";
    public const string ScaleDownKey = "scaleDownSeconds";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int> { [LoopKey] = 1, [MinJobAgeKey] = 0, [ScaleDownKey] = 1 });

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = context.Pool.PolicySettings;
        var loop = BaselineSettings.Seconds(settings, LoopKey, TimeSpan.FromSeconds(5), 1);
        var minAge = BaselineSettings.Seconds(settings, MinJobAgeKey, TimeSpan.FromSeconds(30));
        var scaleDown = BaselineSettings.Seconds(settings, ScaleDownKey, TimeSpan.FromMinutes(1), 1);
        var now = context.Now;
        DateTimeOffset? recheck = null;

        var counted = 0;
        foreach (var job in context.Demand.QueuedJobs)
        {
            var countsAt = LoopTicks.AtOrAfter((job.QueuedAt ?? job.LastEventAt) + minAge, loop);
            if (countsAt <= now)
            {
                counted++;
            }
            else
            {
                recheck = Earlier(recheck, countsAt);
            }
        }

        var minIdle = context.Limits.Idle;
        var runners = context.Runners;
        var active = runners.Active;
        var target = runners.Busy + counted + minIdle;
        var surplus = runners.Idle - (minIdle + context.Demand.Queued);
        int desired;
        string reason;
        if (!LoopTicks.IsTick(now, loop))
        {
            desired = active;
            reason = $"garm: between loop ticks, keeping {active}";
            if (target > active || surplus > 0)
            {
                recheck = Earlier(recheck, LoopTicks.After(now, loop));
            }
        }
        else if (LoopTicks.IsTick(now, scaleDown) && surplus > 0)
        {
            var remove = (surplus + 1) / 2;
            desired = Math.Max(target, active - remove);
            reason = $"garm: scale-down pass, {surplus} idle beyond minIdle {minIdle} + {context.Demand.Queued} queued, removing half ({active - desired})";
            if (surplus - (active - desired) > 0)
            {
                recheck = Earlier(recheck, LoopTicks.After(now, scaleDown));
            }
        }
        else
        {
            desired = Math.Max(target, active);
            reason = $"garm: {runners.Busy} busy + {counted} jobs queued ≥{minAge.TotalSeconds:0}s + minIdle {minIdle} = {target}, active {active}";
            if (surplus > 0)
            {
                recheck = Earlier(recheck, LoopTicks.After(now, scaleDown));
            }
        }

        return new PolicyDecision(desired, reason) { RecheckAt = recheck };
    }

    private static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;
}
