namespace Drover.Core.Resilience;

/// <summary>Where a provider's circuit breaker stands; see <see cref="CircuitBreaker"/> for the rules.</summary>
public enum BreakerStatus
{
    /// <summary>Creates flow freely; consecutive failures are counted.</summary>
    Closed,

    /// <summary>Too many consecutive failures: no creates until the cool-down has passed.</summary>
    Open,

    /// <summary>Cool-down over: one probe create at a time decides between closing and re-opening.</summary>
    HalfOpen,
}
