namespace Drover.Core.Policies;

/// <summary>A policy's answer: the desired runner count (before clamping) and why, in words for the plan.</summary>
/// <param name="Desired">Runners the pool should have.</param>
/// <param name="Reason">Why, in words.</param>
public sealed record PolicyDecision(int Desired, string Reason)
{
    /// <summary>
    /// When the policy's answer will change with no new event (a queued job reaches a minimum age, a loop tick, a
    /// reservation expires). Null: only new events change it. The control loop plans again at this instant.
    /// </summary>
    public DateTimeOffset? RecheckAt { get; init; }

    /// <summary>
    /// Whether the decision meets the pool's queue-wait target (the predictive policy's <c>targetWaitP95</c>): null when
    /// the policy has no target or nothing to judge it by yet (no history), false with <see cref="SloShortfall"/>.
    /// </summary>
    public bool? SloFeasible { get; init; }

    /// <summary>Why the target cannot be met, in words; null when it can (or is not judged).</summary>
    public string? SloShortfall { get; init; }
}
