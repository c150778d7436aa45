namespace Drover.Core.Resilience;

/// <summary>
/// A provider's circuit breaker as a value: opens after <see cref="CircuitBreakerOptions.FailureThreshold"/>
/// consecutive failures, half-opens after the cool-down, closes after
/// <see cref="CircuitBreakerOptions.SuccessesToClose"/> successes in half-open.
/// </summary>
public sealed record CircuitBreakerState
{
    /// <summary>The stored status; an Open breaker past its cool-down is half-open (see <see cref="CircuitBreaker.Current"/>).</summary>
    public BreakerStatus Status { get; init; } = BreakerStatus.Closed;

    /// <summary>Create failures in a row as counted by the breaker (outcomes reported while open are not counted).</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the breaker last opened; null while closed.</summary>
    public DateTimeOffset? OpenedAt { get; init; }

    /// <summary>Successful probes since the breaker became half-open.</summary>
    public int HalfOpenSuccesses { get; init; }

    /// <summary>A closed breaker with no failures: the state of a provider with no history.</summary>
    public static CircuitBreakerState Closed { get; } = new();
}
