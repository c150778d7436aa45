using System.Net;
using System.Runtime.CompilerServices;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// The pod-API port over the official KubernetesClient, for one namespace: each call is one request, and each refusal
/// becomes a <see cref="KubernetesApiException"/> with the API server's words. No logic of its own — that lives in the
/// informer, the provider and the reaper, which the tests run against a fake of <see cref="IPodApi"/>.
/// </summary>
internal sealed class KubernetesPodApi : IPodApi
{
    private readonly IKubernetes _client;
    private readonly string _namespace;
    private readonly string _provider;
    private readonly TimeProvider _time;

    /// <param name="client">The API client.</param>
    /// <param name="namespace">The namespace every call is made in.</param>
    /// <param name="provider">The provider's name, for messages.</param>
    /// <param name="time">The clock a refusal's <c>Retry-After</c> is counted from.</param>
    public KubernetesPodApi(IKubernetes client, string @namespace, string provider, TimeProvider time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _namespace = @namespace ?? throw new ArgumentNullException(nameof(@namespace));
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <inheritdoc/>
    public async Task<PodListing> ListPodsAsync(string labelSelector, CancellationToken cancellationToken)
    {
        try
        {
            var list = await _client.CoreV1.ListNamespacedPodAsync(_namespace, labelSelector: labelSelector, cancellationToken: cancellationToken).ConfigureAwait(false);
            return new PodListing([.. list.Items ?? []], list.Metadata?.ResourceVersion);
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, "list pods", e, _time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<PodWatchEvent> WatchPodsAsync(string labelSelector, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // The client reports an ERROR event (a Status, e.g. 410 Gone for a compacted version) and unreadable lines through
        // onError and goes on reading; the first one ends this watch.
        Exception? error = null;
        var events = _client.CoreV1.WatchListNamespacedPodAsync(
            _namespace, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion,
            timeoutSeconds: (int)Math.Max(1, timeout.TotalSeconds), onError: e => error ??= e, cancellationToken: cancellationToken);
        await using var enumerator = events.GetAsyncEnumerator(cancellationToken);
        while (true)
        {
            bool more;
            try
            {
                more = await enumerator.MoveNextAsync().ConfigureAwait(false);
            }
            catch (HttpOperationException e)
            {
                throw new KubernetesApiException(_provider, "watch pods", e, _time.GetUtcNow());
            }

            if (error is not null)
            {
                throw Translate(error);
            }

            if (!more)
            {
                yield break;
            }

            var (type, pod) = enumerator.Current;
            if (type == WatchEventType.Error)
            {
                throw new KubernetesApiException(_provider, "watch pods", HttpStatusCode.Gone, "the watch ended with an error event");
            }

            yield return new PodWatchEvent(type, pod);
        }
    }

    /// <inheritdoc/>
    public async Task<V1Pod> CreatePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pod);
        try
        {
            return await _client.CoreV1.CreateNamespacedPodAsync(pod, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, $"create pod {pod.Metadata?.Name}", e, _time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public async Task<V1Pod?> ReadPodAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.CoreV1.ReadNamespacedPodAsync(name, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, $"read pod {name}", e, _time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeletePodAsync(string name, CancellationToken cancellationToken) =>
        DeleteAsync($"delete pod {name}", () => _client.CoreV1.DeleteNamespacedPodAsync(name, _namespace, cancellationToken: cancellationToken));

    /// <inheritdoc/>
    public async Task CreateSecretAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        try
        {
            await _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, $"create secret {secret.Metadata?.Name}", e, _time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken) =>
        DeleteAsync($"delete secret {name}", () => _client.CoreV1.DeleteNamespacedSecretAsync(name, _namespace, cancellationToken: cancellationToken));

    /// <inheritdoc/>
    public async Task CreateClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(claim);
        try
        {
            await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(claim, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, $"create volume claim {claim.Metadata?.Name}", e, _time.GetUtcNow());
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _client.Dispose();

    private async Task<bool> DeleteAsync(string operation, Func<Task> delete)
    {
        try
        {
            await delete().ConfigureAwait(false);
            return true;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (HttpOperationException e)
        {
            throw new KubernetesApiException(_provider, operation, e, _time.GetUtcNow());
        }
    }

    private Exception Translate(Exception error) => error switch
    {
        KubernetesException { Status: { Code: { } code } status } =>
            new KubernetesApiException(_provider, "watch pods", (HttpStatusCode)code, status.Message ?? status.Reason ?? "the watch was refused", error),
        HttpOperationException http => new KubernetesApiException(_provider, "watch pods", http, _time.GetUtcNow()),
        _ => error,
    };
}
