using Drover.Core.Adapters;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// The provider cannot say which pods exist: its cache has not been listed yet, or its last list failed. Thrown at once
/// by <see cref="KubernetesProvider.ListAsync"/> rather than after a wait, so that the engine goes on with its cycle and
/// leaves the runners of this cluster as they are until the cache is synced again.
/// </summary>
/// <remarks>
/// Classified <see cref="CallFailureKind.Busy"/>: the caller should not retry at once — the provider's own list loop
/// already retries with backoff, and a repeat now would only meet the same cache — and it is not an outage of a create.
/// </remarks>
internal sealed class PodCacheNotSyncedException : Exception, IClassifiedFailure
{
    /// <summary>The failure, with the provider's name and why its cache is not synced.</summary>
    public PodCacheNotSyncedException(string message)
        : base(message)
    {
    }

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailureKind.Busy;

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => null;
}
