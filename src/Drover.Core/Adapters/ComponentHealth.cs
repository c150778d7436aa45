namespace Drover.Core.Adapters;

/// <summary>
/// One component's health: a forge, a provider, the store, leadership. Everything in it comes from a check that
/// happened (a call that succeeded or failed), never from an assumption.
/// </summary>
/// <param name="Kind">What it is: <c>forge</c>, <c>provider</c>, <c>store</c>, <c>leadership</c>.</param>
/// <param name="Name">Its name in the configuration (the store's location kind, the replica id).</param>
/// <param name="Status">Ok, degraded or down.</param>
public sealed record ComponentHealth(string Kind, string Name, ComponentStatus Status)
{
    /// <summary>When a call last succeeded; null when none has yet.</summary>
    public DateTimeOffset? LastSuccess { get; init; }

    /// <summary>
    /// The last error's text (never a secret) while it explains the status: since the last success, or for five minutes
    /// after it (a component that recovered stays degraded that long); null otherwise.
    /// </summary>
    public string? LastError { get; init; }

    /// <summary>When <see cref="LastError"/> happened.</summary>
    public DateTimeOffset? LastErrorAt { get; init; }

    /// <summary>Component-specific readings (rate-limit remaining, watch state, breaker state), as text.</summary>
    public IReadOnlyDictionary<string, string> Details { get; init; } = new Dictionary<string, string>();
}
