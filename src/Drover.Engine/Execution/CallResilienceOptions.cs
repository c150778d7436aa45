namespace Drover.Engine.Execution;

/// <summary>How provider and forge calls are retried and timed out.</summary>
public sealed record CallResilienceOptions
{
    /// <summary>Retries after the first attempt. Default 2.</summary>
    public int MaxRetryAttempts { get; init; } = 2;

    /// <summary>Base delay of the exponential backoff (with jitter). Default 1 s.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Timeout of one attempt. Default 30 s.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long calls to a target are held back after a rate limit that said no retry-after. Default 60 s.</summary>
    public TimeSpan RateLimitWait { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The defaults.</summary>
    public static CallResilienceOptions Default { get; } = new();
}
