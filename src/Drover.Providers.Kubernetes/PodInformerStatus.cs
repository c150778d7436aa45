namespace Drover.Providers.Kubernetes;

/// <summary>A consistent reading of the informer, for health and for the provider's list call. Costs no API call.</summary>
internal sealed record PodInformerStatus
{
    /// <summary>What the informer is doing.</summary>
    public required WatchState State { get; init; }

    /// <summary>When the informer started; null before.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Until when it backs off (in <see cref="WatchState.BackingOff"/>).</summary>
    public DateTimeOffset? BackingOffUntil { get; init; }

    /// <summary>True while the cache can be served: a list succeeded and no list failed since.</summary>
    public bool Synced { get; init; }

    /// <summary>True when the last attempt got an answer from the API server (a refusal is an answer).</summary>
    public bool Reachable { get; init; }

    /// <summary>When a list or watch last succeeded.</summary>
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>When a list last succeeded.</summary>
    public DateTimeOffset? LastList { get; init; }

    /// <summary>The last failure of a list or watch, in the API server's words or the transport's; null since a healthy watch.</summary>
    public string? LastError { get; init; }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Lists and watches that failed in a row since the last healthy watch.</summary>
    public int Failures { get; init; }

    /// <summary>When the failures in a row began.</summary>
    public DateTimeOffset? FailingSince { get; init; }

    /// <summary>The pods in the cache.</summary>
    public int Pods { get; init; }
}
