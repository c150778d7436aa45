namespace Drover.Providers.Kubernetes;

/// <summary>What the informer is doing now.</summary>
internal enum WatchState
{
    /// <summary>Not started yet.</summary>
    NotStarted,

    /// <summary>The first list is in flight.</summary>
    Listing,

    /// <summary>A fresh list is in flight (after a failure, <c>410 Gone</c> or the resync interval).</summary>
    Relisting,

    /// <summary>A watch is open after failures, not yet proven healthy (no event yet, open less than the healthy time).</summary>
    Watching,

    /// <summary>The cache is listed and the watch is open and healthy.</summary>
    Synced,

    /// <summary>Waiting before the next attempt after a failure.</summary>
    BackingOff,

    /// <summary>Stopped.</summary>
    Stopped,
}
