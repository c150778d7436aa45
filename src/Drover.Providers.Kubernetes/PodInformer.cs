using System.Collections.Concurrent;
using System.Net;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// A cache of the provider's pods kept by list and watch: list, then watch from the list's resource version; resume from
/// the last version seen when a watch ends; list again on <c>410 Gone</c>, after a failure and every resync interval. A
/// list or watch that keeps failing is retried with exponential backoff and jitter (<see cref="WatchBackoff"/>), reset by
/// a healthy watch; the first failure of a run is logged with its error, the recovery once, the attempts between only at
/// debug level. <see cref="Status"/> says what it is doing without calling out.
/// </summary>
internal sealed class PodInformer : IAsyncDisposable
{
    private readonly IPodApi _api;
    private readonly Func<string> _selector;
    private readonly PodInformerOptions _options;
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly ILogger _logger;
    private readonly string _provider;
    private readonly Action<V1Pod> _observed;
    private readonly Action<string> _forgotten;
    private readonly ConcurrentDictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _firstOutcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sync = new();
    private Task? _loop;
    private WatchState _state = WatchState.NotStarted;
    private DateTimeOffset? _startedAt;
    private DateTimeOffset? _backingOffUntil;
    private bool _synced;
    private bool _reachable;
    private DateTimeOffset? _lastSuccess;
    private DateTimeOffset? _lastList;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private int _failures;
    private DateTimeOffset? _failingSince;
    private long _watch;
    private bool _watchHealthy;
    private bool _goneSinceHealthy;

    /// <param name="api">The pod API of the provider's namespace.</param>
    /// <param name="selector">The label selector of the provider's pods (read at each list and watch).</param>
    /// <param name="options">Timing.</param>
    /// <param name="time">The clock.</param>
    /// <param name="random">The jitter source.</param>
    /// <param name="logger">The provider's logger.</param>
    /// <param name="provider">The provider's name, for messages.</param>
    /// <param name="observed">Called with every pod listed or seen changing (on the informer's loop; must be quick).</param>
    /// <param name="forgotten">Called with the name of every pod that is gone.</param>
    public PodInformer(
        IPodApi api, Func<string> selector, PodInformerOptions options, TimeProvider time, Random random, ILogger logger, string provider,
        Action<V1Pod> observed, Action<string> forgotten)
    {
        _api = api ?? throw new ArgumentNullException(nameof(api));
        _selector = selector ?? throw new ArgumentNullException(nameof(selector));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _random = random ?? throw new ArgumentNullException(nameof(random));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _provider = provider ?? throw new ArgumentNullException(nameof(provider));
        _observed = observed ?? throw new ArgumentNullException(nameof(observed));
        _forgotten = forgotten ?? throw new ArgumentNullException(nameof(forgotten));
    }

    /// <summary>The pods in the cache now.</summary>
    public IReadOnlyCollection<V1Pod> Pods => [.. _pods.Values];

    /// <summary>Starts listing and watching in the background; calling it again does nothing.</summary>
    public void Start()
    {
        lock (_sync)
        {
            if (_loop is not null || _stop.IsCancellationRequested)
            {
                return;
            }

            _startedAt = _time.GetUtcNow();
            _state = WatchState.Listing;
            _loop = Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>What the informer is doing and how its calls went; never calls out.</summary>
    public PodInformerStatus Status()
    {
        lock (_sync)
        {
            return new PodInformerStatus
            {
                State = _state,
                StartedAt = _startedAt,
                BackingOffUntil = _state == WatchState.BackingOff ? _backingOffUntil : null,
                Synced = _synced,
                Reachable = _reachable,
                LastSuccess = _lastSuccess,
                LastList = _lastList,
                LastError = _lastError,
                LastErrorAt = _lastErrorAt,
                Failures = _failures,
                FailingSince = _failingSince,
                Pods = _pods.Count,
            };
        }
    }

    /// <summary>
    /// Waits until the first list has succeeded or failed, but no longer than <see cref="PodInformerOptions.FirstSyncWait"/>
    /// after the start; returns at once later on. Whether the cache can be served is then in <see cref="Status"/>.
    /// </summary>
    public async Task WaitForFirstListAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset deadline;
        lock (_sync)
        {
            if (_firstOutcome.Task.IsCompleted || _startedAt is not { } started)
            {
                return;
            }

            deadline = started + _options.FirstSyncWait;
        }

        var left = deadline - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _firstOutcome.Task.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The first list is still in flight: the caller reports the cache as not synced.
        }
    }

    /// <summary>Puts a pod the provider just created (or found) into the cache, before its watch event arrives.</summary>
    public void Put(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        Observe(pod);
    }

    /// <summary>Drops a pod the provider deleted from the cache.</summary>
    public void Remove(string name) => Forget(name);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Task? loop;
        lock (_sync)
        {
            loop = _loop;
            _state = WatchState.Stopped;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
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

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        string? version = null;
        var listedAt = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (version is null || _time.GetUtcNow() - listedAt >= _options.ResyncInterval)
            {
                SetState(_lastList is null ? WatchState.Listing : WatchState.Relisting);
                PodListing listing;
                try
                {
                    listing = await ListAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    version = null;
                    await FailAsync("list", e, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                Replace(listing);
                version = listing.ResourceVersion ?? string.Empty;
                listedAt = _time.GetUtcNow();
            }

            var from = version ?? string.Empty;
            var (watch, healthy) = BeginWatch();
            var started = _time.GetTimestamp();
            var received = 0;
            try
            {
                using (healthy)
                {
                    await foreach (var change in _api.WatchPodsAsync(_selector(), from, _options.ResyncInterval, cancellationToken).ConfigureAwait(false))
                    {
                        received++;
                        from = change.Pod?.Metadata?.ResourceVersion ?? from;
                        switch (change.Type)
                        {
                            case WatchEventType.Added or WatchEventType.Modified when change.Pod?.Metadata?.Name is not null:
                                Observe(change.Pod);
                                break;
                            case WatchEventType.Deleted when change.Pod?.Metadata?.Name is { } name:
                                Forget(name);
                                break;
                        }

                        Healthy(watch);
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Gone)
            {
                // The version was compacted away: a fresh list is the protocol, not a failure — unless it happens again
                // before a watch has proved healthy, which would spin against the API server.
                version = null;
                if (Compacted())
                {
                    KubernetesProviderLog.WatchCompacted(_logger, _provider);
                    continue;
                }

                await FailAsync("watch", e, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (Exception e)
            {
                version = null;
                await FailAsync("watch", e, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (received == 0 && _time.GetElapsedTime(started) < _options.MinimumWatch)
            {
                // Ended at once with nothing: refused without the error reaching us. Watching the same version again
                // would spin against the API server; a fresh list cannot be refused that way.
                version = null;
                await FailAsync("watch", new IOException("the watch ended at once without events"), cancellationToken).ConfigureAwait(false);
                continue;
            }

            version = from;
            Answered();
            KubernetesProviderLog.WatchResumed(_logger, _provider, received, from);
        }
    }

    private async Task<PodListing> ListAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.ListTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            return await _api.ListPodsAsync(_selector(), linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the API server did not answer the list within {_options.ListTimeout.TotalSeconds:0} s");
        }
    }

    private void SetState(WatchState state)
    {
        lock (_sync)
        {
            if (_state != WatchState.Stopped)
            {
                _state = state;
            }
        }
    }

    /// <summary>Replaces the cache with a list's pods.</summary>
    private void Replace(PodListing listing)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pod in listing.Pods.Where(p => p.Metadata?.Name is not null))
        {
            seen.Add(pod.Metadata.Name);
            Observe(pod);
        }

        foreach (var gone in _pods.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            Forget(gone);
        }

        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _synced = true;
            _reachable = true;
            _lastSuccess = now;
            _lastList = now;
        }

        _firstOutcome.TrySetResult();
    }

    private void Observe(V1Pod pod)
    {
        _pods[pod.Metadata.Name] = pod;
        _observed(pod);
    }

    private void Forget(string name)
    {
        _pods.TryRemove(name, out _);
        _forgotten(name);
    }

    /// <summary>
    /// A new watch: its number, and the timer that declares it healthy once it has stayed open long enough — set before
    /// the state says "watching", so that whoever reads the state and moves a clock on wakes it.
    /// </summary>
    private (long Watch, ITimer Healthy) BeginWatch()
    {
        long watch;
        lock (_sync)
        {
            _watchHealthy = false;
            watch = ++_watch;
        }

        var timer = _time.CreateTimer(_ => Healthy(watch), null, _options.HealthyWatch, Timeout.InfiniteTimeSpan);
        lock (_sync)
        {
            if (_state != WatchState.Stopped)
            {
                _state = _failures == 0 ? WatchState.Synced : WatchState.Watching;
            }
        }

        return (watch, timer);
    }

    /// <summary>The API server answered the watch (an event, or an orderly end).</summary>
    private void Answered()
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            _reachable = true;
            _lastSuccess = now;
        }
    }

    /// <summary>
    /// The watch <paramref name="watch"/> delivered an event or stayed open long enough: it is healthy, the backoff
    /// starts over and, after failures, the recovery is logged once.
    /// </summary>
    private void Healthy(long watch)
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            if (watch != _watch)
            {
                return;
            }

            _reachable = true;
            _lastSuccess = now;
            if (_watchHealthy)
            {
                return;
            }

            if (_failures > 0)
            {
                // Logged before the state says so, like the failures, for whoever reads the state.
                KubernetesProviderLog.Recovered(_logger, _provider, _failures, _failingSince is { } since ? (now - since).TotalSeconds : 0);
            }

            _watchHealthy = true;
            _goneSinceHealthy = false;
            _failures = 0;
            _failingSince = null;
            _lastError = null;
            _lastErrorAt = null;
            if (_state == WatchState.Watching)
            {
                _state = WatchState.Synced;
            }
        }
    }

    /// <summary>True for the first <c>410 Gone</c> since the watch last proved healthy (listed again at once).</summary>
    private bool Compacted()
    {
        lock (_sync)
        {
            _reachable = true;
            if (_goneSinceHealthy && !_watchHealthy)
            {
                return false;
            }

            _goneSinceHealthy = true;
            return true;
        }
    }

    /// <summary>Records a failed list or watch, logs it (the first of a run as a warning), and waits out the backoff.</summary>
    private async Task FailAsync(string operation, Exception error, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var reason = Describe(error);
        int failures;
        lock (_sync)
        {
            failures = _failures + 1;
        }

        // The timer is set and the failure logged before the state says "backing off until T", so that whoever reads that
        // and moves a clock to T wakes this wait; the failure and the state are recorded together, so no reader sees one
        // without the other.
        var delay = WatchBackoff.Delay(failures, _options.BackoffBase, _options.BackoffCap, _random);
        var wait = Task.Delay(delay, _time, cancellationToken);
        if (failures == 1)
        {
            KubernetesProviderLog.Failing(_logger, _provider, operation, reason, delay.TotalSeconds, _options.BackoffCap.TotalSeconds);
        }
        else
        {
            KubernetesProviderLog.StillFailing(_logger, _provider, operation, failures, reason, delay.TotalSeconds);
        }

        lock (_sync)
        {
            _failures = failures;
            _failingSince ??= now;
            _lastError = reason;
            _lastErrorAt = now;
            _reachable = error is KubernetesApiException;
            if (operation == "list")
            {
                _synced = false;
            }

            if (_state != WatchState.Stopped)
            {
                _state = WatchState.BackingOff;
                _backingOffUntil = now + delay;
            }
        }

        _firstOutcome.TrySetResult();
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the loop ends.
        }
    }

    /// <summary>A failure in words fit for logs and health: the API server's message, or the transport's; never a credential.</summary>
    internal static string Describe(Exception error) => error switch
    {
        KubernetesApiException api => api.Message,
        TimeoutException timeout => timeout.Message,
        HttpRequestException { InnerException: { } inner } http when !http.Message.Contains(inner.Message, StringComparison.Ordinal) =>
            $"{http.GetType().Name}: {http.Message} ({inner.Message})",
        _ => $"{error.GetType().Name}: {error.Message}",
    };
}
