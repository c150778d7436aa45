namespace Drover.Simulation.FleetPlanning;

/// <summary>
/// What a sweep suggests for its pool, in one plain sentence, with the figures behind it: every figure comes from a
/// simulated run of exactly the suggested setting.
/// </summary>
public sealed record PoolRecommendation
{
    public required string Pool { get; init; }

    /// <summary>The swept path the advice is about.</summary>
    public required string Path { get; init; }

    /// <summary>The advice, e.g. <c>idle 3 from 08:00 to 19:00 on weekdays (Europe/Berlin): p95 12 s for +9% runner-minutes</c>.</summary>
    public required string Text { get; init; }

    /// <summary>The suggested value.</summary>
    public string? Value { get; init; }

    /// <summary>The schedule that applies the value only in the busy hours, as YAML lines for the pool; null when it applies all day.</summary>
    public string? Schedule { get; init; }

    /// <summary>The pool's p95 wait with the advice followed, seconds.</summary>
    public double WaitP95Seconds { get; init; }

    /// <summary>The pool's runner-minutes with the advice followed, as a change from the configured fleet's (0.09: 9% more).</summary>
    public double RunnerMinutesChange { get; init; }
}
