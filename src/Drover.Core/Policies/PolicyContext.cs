using Drover.Core.Config;

namespace Drover.Core.Policies;

/// <summary>Everything a policy may look at for one pool in one planning cycle.</summary>
public sealed record PolicyContext
{
    public required PoolConfig Pool { get; init; }

    /// <summary>Min/idle/max in force now (schedules applied).</summary>
    public required PoolLimits Limits { get; init; }

    public required PoolDemand Demand { get; init; }

    public required PoolRunnerCounts Runners { get; init; }

    public required DateTimeOffset Now { get; init; }

    public IDemandHistory? History { get; init; }
}
