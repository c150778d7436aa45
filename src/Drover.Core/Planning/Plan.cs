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

    public bool IsEmpty => Actions.Count == 0;
}
