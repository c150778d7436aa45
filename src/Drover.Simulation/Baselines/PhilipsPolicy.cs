using Drover.Core.Policies;

namespace Drover.Simulation.Baselines;

/// <summary>
/// philips-labs terraform-aws-github-runner. Scale-up: a queued job's message is handled after <c>delaySeconds</c> (30)
/// and, if the job is still queued, one runner is created unless the pool is at max (<c>new = min(queued, max −
/// current)</c>): target = busy + jobs queued at least the delay. Scale-down every <c>scaleDownSeconds</c> (300)
/// removes idle runners older than the minimum running time (the pool's <c>idleTimeout</c>, 5 min in the catalog)
/// beyond the warm pool. Warm pool (the pool's <c>idle</c>, 0 for none) topped up every <c>poolSeconds</c> (300).
/// Between those ticks runners are only ever added for delayed jobs. Stateless; ticks come back via RecheckAt.
/// </summary>
public sealed class PhilipsPolicy : IScalingPolicy
{
    public const string PolicyName = "philips";
    public const string DelayKey = "delaySeconds";
    public const string ScaleDownKey = "scaleDownSeconds";
    public const string PoolKey = "poolSeconds";

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) =>
        BaselineSettings.Validate(PolicyName, settings, new Dictionary<string, int> { [DelayKey] = 0, [ScaleDownKey] = 1, [PoolKey] = 1 });

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var settings = context.Pool.PolicySettings;
        var delay = BaselineSettings.Seconds(settings, DelayKey, TimeSpan.FromSeconds(30));
        var scaleDown = BaselineSettings.Seconds(settings, ScaleDownKey, TimeSpan.FromMinutes(5), 1);
        var poolEvery = BaselineSettings.Seconds(settings, PoolKey, TimeSpan.FromMinutes(5), 1);
        var now = context.Now;
        DateTimeOffset? recheck = null;

        var counted = 0;
        foreach (var job in context.Demand.QueuedJobs)
        {
            var countsAt = (job.QueuedAt ?? job.LastEventAt) + delay;
            if (countsAt <= now)
            {
                counted++;
            }
            else
            {
                recheck = recheck is { } r && r < countsAt ? r : countsAt;
            }
        }

        var pool = context.Limits.Idle;
        var active = context.Runners.Active;
        var up = context.Runners.Busy + counted;
        var keep = up + pool;
        var desired = Math.Max(active, up);
        var poolTick = LoopTicks.IsTick(now, poolEvery);
        var downTick = LoopTicks.IsTick(now, scaleDown);
        if (poolTick && desired < keep)
        {
            desired = keep;
        }

        if (downTick && desired > keep)
        {
            desired = keep;
        }

        if (desired < keep)
        {
            recheck = Earlier(recheck, LoopTicks.After(now, poolEvery));
        }

        if (active > keep && context.Runners.Idle > 0)
        {
            recheck = Earlier(recheck, LoopTicks.After(now, scaleDown));
        }

        var reason = $"philips: {context.Runners.Busy} busy + {counted} jobs queued ≥{delay.TotalSeconds:0}s = {up}, pool {pool}{(poolTick ? " (top-up)" : "")}{(downTick ? " (scale-down)" : "")}, active {active}";
        return new PolicyDecision(desired, reason) { RecheckAt = recheck };
    }

    private static DateTimeOffset Earlier(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;
}
