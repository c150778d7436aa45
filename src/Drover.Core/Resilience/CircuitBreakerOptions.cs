namespace Drover.Core.Resilience;

/// <summary>Thresholds of a provider's circuit breaker.</summary>
public sealed record CircuitBreakerOptions
{
    /// <summary>Consecutive failures that open a closed breaker (at least 1).</summary>
    public int FailureThreshold { get; init; } = 5;

    /// <summary>How long an open breaker stays open before it becomes half-open (not negative).</summary>
    public TimeSpan CoolDown { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Successful probes in half-open that close the breaker (at least 1).</summary>
    public int SuccessesToClose { get; init; } = 2;

    /// <summary>5 failures, 60 s cool-down, 2 successes to close.</summary>
    public static CircuitBreakerOptions Default { get; } = new();
}
