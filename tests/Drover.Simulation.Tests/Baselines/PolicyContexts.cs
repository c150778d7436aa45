using Drover.Core.Policies;
using Drover.Simulation.Baselines;

namespace Drover.Simulation.Tests.Baselines;

/// <summary>Builds policy contexts for the default single pool.</summary>
internal static class PolicyContexts
{
    public static PolicyContext At(DateTimeOffset now, int idle, int busy, int minIdle, IDemandHistory? history = null)
    {
        var pool = BaselineCatalog.SinglePoolFleet().Pools[0] with { Idle = minIdle };
        return new PolicyContext
        {
            Pool = pool,
            Limits = new PoolLimits(0, minIdle, pool.Max, null),
            Demand = new PoolDemand(0, busy, []),
            Runners = new PoolRunnerCounts(0, idle, busy, 0, 0),
            Now = now,
            History = history,
        };
    }
}
