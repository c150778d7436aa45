namespace Drover.Core.Resilience;

/// <summary>
/// A provider's circuit breaker as a value: opens after <see cref="CircuitBreakerOptions.FailureThreshold"/>
/// consecutive failures, half-opens after the cool-down, closes after
/// <see cref="CircuitBreakerOptions.SuccessesToClose"/> successes in half-open.
/// </summary>
public sealed record CircuitBreakerState
{
    public BreakerStatus Status { get; init; } = BreakerStatus.Closed;

    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? OpenedAt { get; init; }

    public int HalfOpenSuccesses { get; init; }

    public static CircuitBreakerState Closed { get; } = new();
}
