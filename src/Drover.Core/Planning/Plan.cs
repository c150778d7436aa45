using Drover.Core.Demand;

namespace Drover.Core.Planning;

/// <summary>The planner's output: what to do now, and the figures that led to it.</summary>
public sealed record Plan
{
    public required DateTimeOffset At { get; init; }

    public IReadOnlyList<PlanAction> Actions { get; init; } = [];

    public IReadOnlyList<PoolPlan> Pools { get; init; } = [];

    /// <summary>Waiting jobs no pool can take. Reported, never dropped silently.</summary>
    public IReadOnlyList<Job> Unmatched { get; init; } = [];

    /// <summary>Fleet-wide notes (e.g. a provider's circuit breaker is open).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// The earliest instant after <see cref="At"/> at which planning again could give a different answer with no new
    /// event: a policy's <see cref="PolicyDecision.RecheckAt"/>, a runner state's timeout (booting, busy, draining), a
    /// surplus idle runner reaching <c>idleTimeout</c>, <c>maxLifetime</c>, the end of a failed runner's retry backoff,
    /// a schedule boundary or an orphan's grace period. Null when nothing is pending.
    /// </summary>
    public DateTimeOffset? NextWakeAt { get; init; }

    public bool IsEmpty => Actions.Count == 0;
}
