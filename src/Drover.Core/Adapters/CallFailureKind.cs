namespace Drover.Core.Adapters;

/// <summary>What a failed adapter call means for the caller: whether to retry, wait, or fix the configuration.</summary>
public enum CallFailureKind
{
    /// <summary>A passing fault (connection refused, timeout, 5xx): retried with backoff; counts against a provider's breaker.</summary>
    Transient,

    /// <summary>The service refused for its rate limit: waited out (until its retry-after), never retried at once.</summary>
    RateLimited,

    /// <summary>The target is busy (a runner running a job): not retried now; the planner decides again later.</summary>
    Busy,

    /// <summary>The target does not exist: for a delete or unregister, the work is already done.</summary>
    NotFound,

    /// <summary>The configuration or credentials are wrong (401, a refused spec, a missing key): not retried, not an outage.</summary>
    Configuration,
}
