using System.Collections.Concurrent;
using System.Threading.Channels;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// Deletes the pods whose runner exited after its job (phase <c>Succeeded</c>), with their secrets, one at a time in
/// the background. It acts only once started: the provider starts it when the engine first uses it, so a replica that
/// only watches (not the leader) deletes nothing. A delete that fails is logged and tried again after
/// <see cref="RetryAfter"/>, or sooner when the pod is seen again: a finished pod changes no more, so waiting for a
/// sighting would leave it (and its secret) until the next resync.
/// </summary>
internal sealed class FinishedPodReaper : IAsyncDisposable
{
    /// <summary>How long after a failed delete it is tried again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(5);

    private readonly IPodApi _api;
    private readonly string _provider;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, byte> _cleaning = new(StringComparer.Ordinal);
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _sync = new();
    private Task? _loop;

    /// <param name="api">The pod API of the provider's namespace.</param>
    /// <param name="provider">The provider's name, for messages.</param>
    /// <param name="time">The clock of the retries.</param>
    /// <param name="logger">The provider's logger.</param>
    public FinishedPodReaper(IPodApi api, string provider, TimeProvider time, ILogger logger)
    {
        _api = api ?? throw new ArgumentNullException(nameof(api));
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>True once started.</summary>
    public bool Started => Volatile.Read(ref _loop) is not null;

    /// <summary>Starts deleting, beginning with the finished pods among <paramref name="known"/>; again does nothing.</summary>
    public void Start(IEnumerable<V1Pod> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        lock (_sync)
        {
            if (_loop is not null || _stop.IsCancellationRequested)
            {
                return;
            }

            _loop = Task.Run(() => RunAsync(_stop.Token));
        }

        foreach (var pod in known)
        {
            Observe(pod);
        }
    }

    /// <summary>Queues <paramref name="pod"/> for deletion when it has finished and is not queued yet.</summary>
    public void Observe(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        if (!Started || !PodStatus.Finished(pod) || pod.Metadata?.Name is not { } name || !_cleaning.TryAdd(name, 0))
        {
            return;
        }

        KubernetesProviderLog.Finished(_logger, _provider, name);
        _queue.Writer.TryWrite(name);
    }

    /// <summary>Forgets a pod that is gone.</summary>
    public void Forget(string name) => _cleaning.TryRemove(name, out _);

    /// <summary>
    /// Deletes the pod <paramref name="name"/> and its secret; what is already gone counts as deleted. Returns whether the
    /// pod was there to delete.
    /// </summary>
    public async Task<bool> DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var existed = await _api.DeletePodAsync(name, cancellationToken).ConfigureAwait(false);
        await _api.DeleteSecretAsync(name, cancellationToken).ConfigureAwait(false);
        return existed;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        Task? loop;
        lock (_sync)
        {
            loop = _loop;
        }

        if (loop is not null)
        {
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
    }

    /// <summary>Queues <paramref name="name"/> again after <see cref="RetryAfter"/>, unless a sighting queued it meanwhile.</summary>
    private async Task RetryLaterAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(RetryAfter, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_cleaning.TryAdd(name, 0))
        {
            _queue.Writer.TryWrite(name);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var name in _queue.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (!await DeleteAsync(name, cancellationToken).ConfigureAwait(false))
                {
                    // Gone already (deleted by the engine meanwhile): no deletion event will come to forget it.
                    _cleaning.TryRemove(name, out _);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _cleaning.TryRemove(name, out _);
                _ = RetryLaterAsync(name, cancellationToken);
                KubernetesProviderLog.CleanupFailed(_logger, _provider, name, PodInformer.Describe(e));
            }
        }
    }
}
