namespace Drover.Providers.Kubernetes;

/// <summary>The informer's timing (docs/providers/kubernetes.md, "Status" and "Health").</summary>
internal sealed record PodInformerOptions
{
    /// <summary>A fresh list replaces the watch this often (the provider's <c>resyncInterval</c>).</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A list that has not answered in this long counts as failed.</summary>
    public TimeSpan ListTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait after the first failure in a row; it doubles with each further one.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between attempts.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A watch that delivered an event or stayed open this long is healthy: the backoff starts over.</summary>
    public TimeSpan HealthyWatch { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A watch that ends without error and without events sooner than this counts as failed (refused quietly).</summary>
    public TimeSpan MinimumWatch { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the provider's first list call waits for the informer's first list before failing.</summary>
    public TimeSpan FirstSyncWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Failing for longer than this since the last answer makes the provider down rather than degraded.</summary>
    public TimeSpan DownAfter { get; init; } = TimeSpan.FromSeconds(30);
}
