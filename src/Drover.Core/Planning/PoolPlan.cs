using Drover.Core.Policies;

namespace Drover.Core.Planning;

/// <summary>A pool's figures in one plan, for people and dashboards.</summary>
public sealed record PoolPlan
{
    public required string Pool { get; init; }

    public required string Policy { get; init; }

    public required PoolLimits Limits { get; init; }

    /// <summary>The pool's queued and running counts (its <see cref="PoolDemand.QueuedJobs"/> are not kept in the plan).</summary>
    public required PoolDemand Demand { get; init; }

    public required PoolRunnerCounts Runners { get; init; }

    /// <summary>Desired count after clamping to min/max and budget.</summary>
    public required int Desired { get; init; }

    /// <summary>The policy's reason plus any clamp applied.</summary>
    public required string Reason { get; init; }

    public int Creates { get; init; }

    public int Deletes { get; init; }

    /// <summary>The earliest instant after the plan's time at which this pool's answer could change with no new event.</summary>
    public DateTimeOffset? NextWakeAt { get; init; }

    /// <summary>
    /// Whether the plan meets the pool's queue-wait target (<c>targetWaitP95</c>): null when its policy has none or
    /// cannot judge it yet; false when the policy's own limits, <c>max</c> or a reached budget keep it from being met
    /// (the notes say why).
    /// </summary>
    public bool? SloFeasible { get; init; }

    /// <summary>Things a person should know: breaker open, backoff, budget reached, ...</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
