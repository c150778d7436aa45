using Drover.Core.Config;

namespace Drover.Core.Policies;

/// <summary>The queue wait a pool is configured to keep 95 % of its jobs under, where its policy has one.</summary>
public static class PoolWaitTarget
{
    /// <summary>
    /// The predictive policy's <c>targetWaitP95</c> (15 s unless set); null for a pool whose policy has no wait target.
    /// </summary>
    public static TimeSpan? Of(PoolConfig pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return string.Equals(pool.Policy, PredictivePolicy.PolicyName, StringComparison.Ordinal)
            ? PredictiveSettings.For(pool.PolicySettings).TargetWaitP95
            : null;
    }
}
