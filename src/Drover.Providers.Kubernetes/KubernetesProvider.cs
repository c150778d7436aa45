using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// Runs each runner as a pod in one cluster and namespace (docs/providers/kubernetes.md). The credential goes into a
/// secret owned by the pod; the pod reads it from the environment. Pods are listed from the cache of a
/// <see cref="PodInformer"/> (list, then watch; relist on <c>410 Gone</c>, on errors with backoff and every resync
/// interval), so the engine's list call costs no API request and fails at once while the cache is not synced. Pods whose
/// runner exited after its job are deleted with their secret by a <see cref="FinishedPodReaper"/>. All three talk to the
/// cluster through the narrow <see cref="IPodApi"/>. <see cref="Health"/> reports the list and watch.
/// </summary>
internal sealed class KubernetesProvider : IProvider, IHealthReporting, IAsyncDisposable
{
    private readonly KubernetesProviderSettings _settings;
    private readonly IPodApi _api;
    private readonly Func<FleetConfig> _fleet;
    private readonly RunnerCredentialVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PodInformerOptions _options;
    private readonly PodInformer _informer;
    private readonly FinishedPodReaper _reaper;
    private readonly ConcurrentDictionary<string, byte> _countedUnschedulable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (int Count, DateTimeOffset? Until)> _spot = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _claims = new(StringComparer.Ordinal);
    private int _disposed;

    /// <param name="settings">The cluster's settings.</param>
    /// <param name="api">The pod API of the cluster's namespace.</param>
    /// <param name="fleet">The configuration in force (controller id, pools, forges).</param>
    /// <param name="vault">Where runner credentials wait.</param>
    /// <param name="time">The clock.</param>
    /// <param name="random">The jitter of the list and watch backoff.</param>
    /// <param name="logger">The provider's logger.</param>
    /// <param name="options">The informer's timing; null: the defaults with the settings' resync interval.</param>
    internal KubernetesProvider(
        KubernetesProviderSettings settings, IPodApi api, Func<FleetConfig> fleet, RunnerCredentialVault vault, TimeProvider time, Random random, ILogger logger,
        PodInformerOptions? options = null)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _api = api ?? throw new ArgumentNullException(nameof(api));
        _fleet = fleet ?? throw new ArgumentNullException(nameof(fleet));
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _options = options ?? new PodInformerOptions { ResyncInterval = settings.ResyncInterval };
        _reaper = new FinishedPodReaper(api, settings.ProviderName, time, logger);
        _informer = new PodInformer(api, () => Selector, _options, time, random, logger, settings.ProviderName, Observed, Forgotten);
    }

    /// <inheritdoc/>
    public string Name => _settings.ProviderName;

    /// <summary>The label selector of every pod this controller owns in the namespace.</summary>
    public string Selector => $"{KubernetesNames.ManagedBy}=drover,{KubernetesNames.Controller}={_fleet().ControllerId},{KubernetesNames.Provider}={Name}";

    /// <summary>
    /// Starts the pod cache (list and watch) in the background, so that health is known and the engine's first list
    /// finds it synced; the first call of the engine starts it too.
    /// </summary>
    public void Start() => _informer.Start();

    /// <inheritdoc/>
    /// <remarks>The rule is in <see cref="KubernetesHealth"/> and docs/providers/kubernetes.md ("Health").</remarks>
    public ComponentHealth Health() => KubernetesHealth.From(Name, _settings.Namespace, _informer.Status(), _time.GetUtcNow(), _options.DownAfter);

    /// <summary>What the pod cache is doing (tests and diagnostics); never calls out.</summary>
    internal PodInformerStatus CacheStatus() => _informer.Status();

    /// <inheritdoc/>
    public async Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        Activate();
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
            var existing = await _api.ReadPodAsync(name, cancellationToken).ConfigureAwait(false);
            return existing is not null && Get(existing.Metadata?.Annotations, KubernetesNames.IdempotencyKey) == request.IdempotencyKey
                ? name
                : throw new InvalidOperationException($"no credential for runner {request.IdempotencyKey} and no pod {name}");
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
                pod = await _api.CreatePodAsync(PodTemplate.Pod(spec), cancellationToken).ConfigureAwait(false);
                KubernetesProviderLog.Created(_logger, Name, name, pool.Name, _settings.Namespace);
            }
            catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                pod = await _api.ReadPodAsync(name, cancellationToken).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"pod {name} was reported to exist in {_settings.Namespace} but is gone; creating it again", e);
                if (Get(pod.Metadata?.Annotations, KubernetesNames.IdempotencyKey) != request.IdempotencyKey)
                {
                    throw new InvalidOperationException($"pod {name} exists in {_settings.Namespace} but was not created for runner {request.IdempotencyKey}");
                }
            }

            _informer.Put(pod);
            try
            {
                await _api.CreateSecretAsync(PodTemplate.Secret(spec, credential.Reveal(), pod.Metadata?.Uid), cancellationToken).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
            {
                // Stored by an earlier attempt of this create.
            }

            return name;
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
        Activate();
        await _reaper.DeleteAsync(instanceId, cancellationToken).ConfigureAwait(false);
        _informer.Remove(instanceId);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Reads the pod named for the key from the API server, not the cache: the cache is fed by a watch that faults cut
    /// and back off, so a pod made by a create whose answer was lost may not be in it yet.
    /// </remarks>
    public async Task<string?> FindAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        Activate();
        var name = KubernetesNames.ForKey(idempotencyKey);
        var pod = await _api.ReadPodAsync(name, cancellationToken).ConfigureAwait(false);
        return pod is not null && Get(pod.Metadata?.Annotations, KubernetesNames.IdempotencyKey) == idempotencyKey ? name : null;
    }

    /// <inheritdoc/>
    /// <exception cref="PodCacheNotSyncedException">
    /// The cache was never listed or its last list failed: thrown at once (the first call waits a few seconds for the first
    /// list), with the API server's last error and when the next list is due.
    /// </exception>
    public async Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        Activate();
        await _informer.WaitForFirstListAsync(cancellationToken).ConfigureAwait(false);
        var status = _informer.Status();
        var now = _time.GetUtcNow();
        if (!status.Synced)
        {
            throw new PodCacheNotSyncedException(NotSynced(status, now));
        }

        var pods = _informer.Pods;
        var instances = new List<ProviderInstance>(pods.Count);
        foreach (var pod in pods)
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
                FailureKind = failure is null ? InstanceFailureKind.Unusable : PodStatus.FailureKind(pod),
            });
        }

        return instances;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _informer.DisposeAsync().ConfigureAwait(false);
        await _reaper.DisposeAsync().ConfigureAwait(false);
        _api.Dispose();
    }

    /// <summary>The engine uses this provider: the cache runs, and finished pods are deleted from now on.</summary>
    private void Activate()
    {
        _informer.Start();
        if (!_reaper.Started)
        {
            _reaper.Start(_informer.Pods);
        }
    }

    private string NotSynced(PodInformerStatus status, DateTimeOffset now)
    {
        var why = status.LastError is { } error
            ? status.LastSuccess is { } success
                ? $"the last list failed; the API server last answered at {KubernetesHealth.Time(success)} ({error})"
                : $"the API server has not answered since start ({error})"
            : $"the first list has not answered after {(now - (status.StartedAt ?? now)).TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s";
        var next = status.BackingOffUntil is { } until ? $"; next list at {KubernetesHealth.Time(until)}" : string.Empty;
        return $"kubernetes {Name}: pods not listed: the pod cache is not synced: {why}{next}";
    }

    /// <summary>A pod was listed or changed: it may let its pool try spot again, or be finished and go.</summary>
    private void Observed(V1Pod pod)
    {
        if (PodStatus.Scheduled(pod) && Get(pod.Metadata.Labels, KubernetesNames.Pool) is { } pool)
        {
            _spot.TryUpdate(pool, (0, _spot.TryGetValue(pool, out var s) ? s.Until : null), s);
        }

        _reaper.Observe(pod);
    }

    /// <summary>Drops everything kept about a pod that is gone, so a long-running provider holds only live pods.</summary>
    private void Forgotten(string name)
    {
        _countedUnschedulable.TryRemove(name, out _);
        _reaper.Forget(name);
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
            await _api.CreateClaimAsync(PodTemplate.CacheClaim(spec), cancellationToken).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.StatusCode == HttpStatusCode.Conflict)
        {
            // The pool's claim exists: shared by its pods.
        }

        _claims.TryAdd(claim, 0);
    }
}
