using System.Collections.Concurrent;
using System.Net;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// Runs each runner as a pod in one cluster and namespace (docs/providers/kubernetes.md). The credential goes into a
/// secret owned by the pod; the pod reads it from the environment. Pods are listed from a cache kept by a watch (list,
/// then watch from its resource version; relist on <c>410 Gone</c>, on errors and every resync interval), so the
/// engine's list call costs no API request. Pods whose runner exited after its job are deleted with their secret.
/// </summary>
internal sealed class KubernetesProvider : IProvider, IAsyncDisposable
{
    private readonly KubernetesProviderSettings _settings;
    private readonly IKubernetes _client;
    private readonly Func<FleetConfig> _fleet;
    private readonly RunnerCredentialVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _cleaning = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _countedUnschedulable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset? Until)> _spot = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _claims = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly object _startLock = new();
    private TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _watch;

    /// <param name="settings">The cluster's settings.</param>
    /// <param name="client">The API client (the official KubernetesClient).</param>
    /// <param name="fleet">The configuration in force (controller id, pools, forges).</param>
    /// <param name="vault">Where runner credentials wait.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The provider's logger.</param>
    public KubernetesProvider(KubernetesProviderSettings settings, IKubernetes client, Func<FleetConfig> fleet, RunnerCredentialVault vault, TimeProvider time, ILogger logger)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <inheritdoc/>
    public string Name => _settings.ProviderName;

    /// <summary>The label selector of every pod this controller owns in the namespace.</summary>
    public string Selector => $"{KubernetesNames.ManagedBy}=drover,{KubernetesNames.Controller}={_fleet().ControllerId},{KubernetesNames.Provider}={Name}";

    /// <inheritdoc/>
    public async Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        EnsureWatching();
        var fleet = _fleet();
        var pool = fleet.FindPool(request.Pool) ?? throw new InvalidOperationException($"pool '{request.Pool}' is not configured");
        var templateSettings = KubernetesTemplateSettings.Read(request.Template, out var problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"pools[{pool.Name}].template.settings.{p.Key}: {p.Message}")));
        }

        var name = KubernetesNames.ForKey(request.IdempotencyKey);
        var credential = _vault.Take(request.CredentialRef);
        if (credential is null)
        {
            // A retried create whose first attempt already stored the credential: the pod is all there is to find.
            return await ExistingAsync(name, request.IdempotencyKey, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"no credential for runner {request.IdempotencyKey} and no pod {name}");
        }

        var spec = new RunnerPodSpec
        {
            ControllerId = fleet.ControllerId,
            Provider = Name,
            Namespace = _settings.Namespace,
            Pool = pool.Name,
            IdempotencyKey = request.IdempotencyKey,
            CredentialKind = credential.Kind,
            ForgeUrl = fleet.Forges.FirstOrDefault(f => f.Name == pool.Forge)?.Url,
            Template = request.Template,
            Settings = templateSettings,
            SpotFallback = _spot.TryGetValue(pool.Name, out var spot) && spot.Until > _time.GetUtcNow(),
            SpotNodeLabel = _settings.SpotNodeLabel,
            SpotTaint = _settings.SpotTaint,
        };
        try
        {
            if (templateSettings.CachePath is not null)
            {
                await EnsureCacheClaimAsync(spec, cancellationToken).ConfigureAwait(false);
            }

            V1Pod pod;
            try
            {
                pod = await _client.CoreV1.CreateNamespacedPodAsync(PodTemplate.Pod(spec), _settings.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                KubernetesProviderLog.Created(_logger, Name, name, pool.Name, _settings.Namespace);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                pod = await _client.CoreV1.ReadNamespacedPodAsync(name, _settings.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (Get(pod.Metadata?.Annotations, KubernetesNames.IdempotencyKey) != request.IdempotencyKey)
                {
                    throw new InvalidOperationException($"pod {name} exists in {_settings.Namespace} but was not created for runner {request.IdempotencyKey}");
                }
            }

            _pods[name] = pod;
            try
            {
                await _client.CoreV1.CreateNamespacedSecretAsync(PodTemplate.Secret(spec, credential.Reveal(), pod.Metadata?.Uid), _settings.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Stored by an earlier attempt of this create.
            }

            return name;
        }
        catch (HttpOperationException e)
        {
            _vault.Put(request.IdempotencyKey, credential);
            throw new KubernetesApiException(Name, $"create pod {name}", e);
        }
        catch
        {
            _vault.Put(request.IdempotencyKey, credential);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        await DeletePodAndSecretAsync(instanceId, cancellationToken).ConfigureAwait(false);
        Forget(instanceId);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        EnsureWatching();
        await _synced.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var instances = new List<ProviderInstance>(_pods.Count);
        foreach (var pod in _pods.Values)
        {
            if (PodStatus.Finished(pod))
            {
                continue;
            }

            var labels = pod.Metadata?.Labels;
            var failure = PodStatus.Failure(pod, now, _settings.UnschedulableTimeout, _settings.ImagePullGrace);
            if (failure is not null && failure.StartsWith("Unschedulable", StringComparison.Ordinal))
            {
                CountUnschedulable(pod, now);
            }

            instances.Add(new ProviderInstance
            {
                Provider = Name,
                InstanceId = pod.Metadata!.Name,
                IdempotencyKey = Get(pod.Metadata.Annotations, KubernetesNames.IdempotencyKey),
                Pool = Get(labels, KubernetesNames.Pool),
                CreatedAt = pod.Metadata.CreationTimestamp is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : now,
                Failure = failure,
            });
        }

        return instances;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_watch is { } watch)
        {
            try
            {
                await watch.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stop.Dispose();
        _client.Dispose();
    }

    private void EnsureWatching()
    {
        lock (_startLock)
        {
            _watch ??= Task.Run(() => WatchLoopAsync(_stop.Token));
        }
    }

    /// <summary>
    /// List, then watch from the list's resource version, and watch again from the last version seen whenever a watch
    /// ends; list again on <c>410 Gone</c> (the version was compacted away), after an error, and every resync interval.
    /// </summary>
    private async Task WatchLoopAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var listedAt = DateTimeOffset.MinValue;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null || _time.GetUtcNow() - listedAt >= _settings.ResyncInterval)
                {
                    var list = await _client.CoreV1.ListNamespacedPodAsync(_settings.Namespace, labelSelector: Selector, cancellationToken: cancellationToken).ConfigureAwait(false);
                    var seen = new HashSet<string>(StringComparer.Ordinal);
                    foreach (var pod in list.Items)
                    {
                        seen.Add(pod.Metadata.Name);
                        Observe(pod);
                    }

                    foreach (var gone in _pods.Keys.Where(k => !seen.Contains(k)).ToList())
                    {
                        Forget(gone);
                    }

                    _synced.TrySetResult();
                    resourceVersion = list.Metadata?.ResourceVersion;
                    listedAt = _time.GetUtcNow();
                }

                Exception? watchError = null;
                var received = 0;
                var watchedAt = _time.GetTimestamp();
                var events = _client.CoreV1.WatchListNamespacedPodAsync(
                    _settings.Namespace, allowWatchBookmarks: true, labelSelector: Selector, resourceVersion: resourceVersion, timeoutSeconds: (int)Math.Max(1, _settings.ResyncInterval.TotalSeconds),
                    onError: e => watchError = e, cancellationToken: cancellationToken);
                await foreach (var (type, pod) in events.ConfigureAwait(false))
                {
                    received++;
                    if (type == WatchEventType.Error)
                    {
                        // The API server ends a watch from a compacted resource version with an ERROR event (410 Gone).
                        KubernetesProviderLog.WatchRestarted(_logger, Name, "410 Gone: the resource version is too old");
                        resourceVersion = null;
                        break;
                    }

                    resourceVersion = pod?.Metadata?.ResourceVersion ?? resourceVersion;
                    switch (type)
                    {
                        case WatchEventType.Added or WatchEventType.Modified:
                            Observe(pod!);
                            break;
                        case WatchEventType.Deleted:
                            Forget(pod!.Metadata.Name);
                            break;
                    }
                }

                if (watchError is not null)
                {
                    // The client reports an ERROR event (410 Gone for a compacted resource version) or a broken stream here.
                    throw watchError;
                }

                if (received == 0 && _time.GetElapsedTime(watchedAt) < TimeSpan.FromSeconds(1) && resourceVersion is not null)
                {
                    // Ended at once with nothing: refused (410) without the error reaching us. Watching the same version
                    // again would spin against the API server; a fresh list cannot be refused that way.
                    KubernetesProviderLog.WatchRestarted(_logger, Name, "the watch ended at once without events (410 Gone?)");
                    resourceVersion = null;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubernetesException { Status.Code: 410 } || e is HttpOperationException { Response.StatusCode: HttpStatusCode.Gone })
            {
                KubernetesProviderLog.WatchRestarted(_logger, Name, "410 Gone: the resource version is too old");
                resourceVersion = null;
            }
            catch (Exception e)
            {
                KubernetesProviderLog.WatchRestarted(_logger, Name, $"{e.GetType().Name}: {e.Message}");
                resourceVersion = null;
                await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Drops everything kept about a pod that is gone, so a long-running provider holds only live pods.</summary>
    private void Forget(string name)
    {
        _pods.TryRemove(name, out _);
        _cleaning.TryRemove(name, out _);
        _countedUnschedulable.TryRemove(name, out _);
    }

    private void Observe(V1Pod pod)
    {
        var name = pod.Metadata.Name;
        _pods[name] = pod;
        if (PodStatus.Scheduled(pod) && Get(pod.Metadata.Labels, KubernetesNames.Pool) is { } pool)
        {
            _spot.TryUpdate(pool, (0, _spot.TryGetValue(pool, out var s) ? s.Until : null), s);
        }

        if (PodStatus.Finished(pod) && _cleaning.TryAdd(name, 0))
        {
            KubernetesProviderLog.Finished(_logger, Name, name);
            _ = Task.Run(async () =>
            {
                try
                {
                    await DeletePodAndSecretAsync(name, _stop.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    KubernetesProviderLog.CleanupFailed(_logger, Name, name, e.Message);
                    _cleaning.TryRemove(name, out _);
                }
            });
        }
    }

    /// <summary>Counts an unschedulable spot pod of its pool once; enough in a row send the pool to on-demand nodes for a while.</summary>
    private void CountUnschedulable(V1Pod pod, DateTimeOffset now)
    {
        var pool = Get(pod.Metadata.Labels, KubernetesNames.Pool);
        var preferredSpot = pod.Spec?.Affinity?.NodeAffinity?.PreferredDuringSchedulingIgnoredDuringExecution?
            .Any(t => t.Preference?.MatchExpressions?.Any(m => m.Key == _settings.SpotNodeLabel.Key && m.OperatorProperty == "In") == true) == true;
        if (pool is null || !preferredSpot || !_countedUnschedulable.TryAdd(pod.Metadata.Name, 0))
        {
            return;
        }

        var next = _spot.AddOrUpdate(pool, (1, null), (_, s) => (s.Count + 1, s.Until));
        if (next.Count >= _settings.SpotFallbackAfter && (next.Until is null || next.Until <= now))
        {
            _spot[pool] = (0, now + _settings.SpotRetryAfter);
            KubernetesProviderLog.SpotFallback(_logger, Name, pool, next.Count, _settings.SpotRetryAfter.TotalMinutes);
        }
    }

    private async Task DeletePodAndSecretAsync(string name, CancellationToken cancellationToken)
    {
        foreach (var delete in new Func<Task>[]
        {
            () => _client.CoreV1.DeleteNamespacedPodAsync(name, _settings.Namespace, cancellationToken: cancellationToken),
            () => _client.CoreV1.DeleteNamespacedSecretAsync(name, _settings.Namespace, cancellationToken: cancellationToken),
        })
        {
            try
            {
                await delete().ConfigureAwait(false);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
            catch (HttpOperationException e)
            {
                throw new KubernetesApiException(Name, $"delete {name}", e);
            }
        }
    }

    private async Task<string?> ExistingAsync(string name, string key, CancellationToken cancellationToken)
    {
        try
        {
            var pod = await _client.CoreV1.ReadNamespacedPodAsync(name, _settings.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            return Get(pod.Metadata?.Annotations, KubernetesNames.IdempotencyKey) == key ? name : null;
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static string? Get(IDictionary<string, string>? values, string key) =>
        values is not null && values.TryGetValue(key, out var value) ? value : null;

    private async Task EnsureCacheClaimAsync(RunnerPodSpec spec, CancellationToken cancellationToken)
    {
        var claim = KubernetesNames.CacheClaim(spec.Pool);
        if (_claims.ContainsKey(claim))
        {
            return;
        }

        try
        {
            await _client.CoreV1.CreateNamespacedPersistentVolumeClaimAsync(PodTemplate.CacheClaim(spec), _settings.Namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.Conflict)
        {
            // The pool's claim exists: shared by its pods.
        }

        _claims.TryAdd(claim, 0);
    }
}
