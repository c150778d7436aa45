using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;

namespace Drover.Providers.Kubernetes.Tests.Fakes;

/// <summary>
/// An in-memory namespace behind the provider's pod-API port: pods, secrets and claims with resource versions, watches
/// fed from a change log (<c>410 Gone</c> below the compacted version), <c>409</c> on duplicates, a pod quota, and
/// scripted refusals (<see cref="Refusal"/> for every call, <see cref="WatchRefusal"/> for watches, <see cref="ListGate"/>
/// to hold lists). Every list and watch attempt is recorded with the fake clock's time.
/// </summary>
internal sealed class FakePodApi : IPodApi
{
    private readonly Lock _sync = new();
    private readonly TimeProvider _time;
    private readonly Dictionary<string, V1Pod> _pods = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1Secret> _secrets = new(StringComparer.Ordinal);
    private readonly Dictionary<string, V1PersistentVolumeClaim> _claims = new(StringComparer.Ordinal);
    private readonly List<(long Version, PodWatchEvent Event)> _log = [];
    private readonly List<Channel<PodWatchEvent>> _watches = [];
    private readonly List<DateTimeOffset> _listAttempts = [];
    private readonly List<DateTimeOffset> _watchAttempts = [];
    private readonly List<string> _calls = [];
    private long _version = 100;
    private long _compactedBelow;

    public FakePodApi(TimeProvider time) => _time = time;

    /// <summary>When set, every call throws what it returns (null: answer normally).</summary>
    public Func<Exception?>? Refusal { get; set; }

    /// <summary>When set, every watch throws what it returns when opened (null: open normally).</summary>
    public Func<Exception?>? WatchRefusal { get; set; }

    /// <summary>When set, lists wait for this task (or their cancellation) before answering.</summary>
    public Task? ListGate { get; set; }

    /// <summary>At most this many pods may exist; more are refused <c>403 exceeded quota</c>.</summary>
    public int? PodQuota { get; set; }

    public bool Disposed { get; private set; }

    public IReadOnlyList<DateTimeOffset> ListAttempts => Locked(() => _listAttempts.ToList());

    public IReadOnlyList<DateTimeOffset> WatchAttempts => Locked(() => _watchAttempts.ToList());

    /// <summary>The write calls made, as <c>verb kind name</c>.</summary>
    public IReadOnlyList<string> Calls => Locked(() => _calls.ToList());

    public int OpenWatches => Locked(() => _watches.Count);

    public IReadOnlyList<V1Pod> Pods() => Locked(() => _pods.Values.Select(Clone).ToList());

    public IReadOnlyList<V1Secret> Secrets() => Locked(() => _secrets.Values.ToList());

    public IReadOnlyList<V1PersistentVolumeClaim> Claims() => Locked(() => _claims.Values.ToList());

    /// <summary>What a refused connection throws.</summary>
    public static Exception ConnectionRefused() =>
        new HttpRequestException("Connection refused (10.0.0.1:6443)", new SocketException((int)SocketError.ConnectionRefused));

    /// <summary>A refusal in the API server's words.</summary>
    public static KubernetesApiException Refused(HttpStatusCode status, string message, string operation = "watch pods") =>
        new("k8s-east", operation, status, message);

    /// <summary>Adds a pod as if someone had created it (no quota, no duplicates check).</summary>
    public V1Pod Seed(V1Pod pod)
    {
        lock (_sync)
        {
            pod.Metadata.Uid ??= Guid.NewGuid().ToString();
            pod.Metadata.CreationTimestamp ??= _time.GetUtcNow().UtcDateTime;
            pod.Status ??= new V1PodStatus { Phase = "Pending" };
            _pods[pod.Metadata.Name] = Record(WatchEventType.Added, pod);
            return Clone(pod);
        }
    }

    /// <summary>Changes a pod as the scheduler or kubelet would; watchers see it modified.</summary>
    public void Update(string name, Action<V1Pod> change)
    {
        lock (_sync)
        {
            var next = Clone(_pods[name]);
            next.Status ??= new V1PodStatus();
            change(next);
            _pods[name] = Record(WatchEventType.Modified, next);
        }
    }

    /// <summary>Deletes a pod as someone else would; watchers see it deleted.</summary>
    public void Remove(string name)
    {
        lock (_sync)
        {
            if (_pods.Remove(name, out var pod))
            {
                Record(WatchEventType.Deleted, pod);
            }
        }
    }

    /// <summary>Forgets the change log: a watch from any version seen so far gets <c>410 Gone</c>; open watches end.</summary>
    public void Compact()
    {
        lock (_sync)
        {
            _version += 10;
            _compactedBelow = _version;
            _log.Clear();
            EndWatchesLocked(null);
        }
    }

    /// <summary>Ends the open watches: normally, or with <paramref name="error"/>.</summary>
    public void EndWatches(Exception? error = null)
    {
        lock (_sync)
        {
            EndWatchesLocked(error);
        }
    }

    public async Task<PodListing> ListPodsAsync(string labelSelector, CancellationToken cancellationToken)
    {
        Task? gate;
        lock (_sync)
        {
            _listAttempts.Add(_time.GetUtcNow());
            gate = ListGate;
        }

        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        lock (_sync)
        {
            ThrowIfRefused();
            return new PodListing([.. _pods.Values.Select(Clone)], Version());
        }
    }

    public async IAsyncEnumerable<PodWatchEvent> WatchPodsAsync(string labelSelector, string resourceVersion, TimeSpan timeout, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateUnbounded<PodWatchEvent>();
        lock (_sync)
        {
            _watchAttempts.Add(_time.GetUtcNow());
            ThrowIfRefused();
            if (WatchRefusal?.Invoke() is { } refused)
            {
                throw refused;
            }

            var from = long.TryParse(resourceVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
            if (from != 0 && from < _compactedBelow)
            {
                throw Refused(HttpStatusCode.Gone, $"too old resource version: {from} ({_compactedBelow})");
            }

            foreach (var entry in _log.Where(e => e.Version > from))
            {
                channel.Writer.TryWrite(entry.Event);
            }

            _watches.Add(channel);
        }

        try
        {
            await foreach (var change in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_sync)
            {
                _watches.Remove(channel);
            }
        }
    }

    public Task<V1Pod> CreatePodAsync(V1Pod pod, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            var name = pod.Metadata.Name;
            _calls.Add($"create pod {name}");
            if (_pods.ContainsKey(name))
            {
                throw Refused(HttpStatusCode.Conflict, $"pods \"{name}\" already exists", $"create pod {name}");
            }

            if (PodQuota is { } quota && _pods.Count >= quota)
            {
                throw Refused(HttpStatusCode.Forbidden, $"pods \"{name}\" is forbidden: exceeded quota: runners, requested: pods=1, used: pods={quota}, limited: pods={quota}", $"create pod {name}");
            }

            var created = Clone(pod);
            created.Metadata.Uid = Guid.NewGuid().ToString();
            created.Metadata.CreationTimestamp = _time.GetUtcNow().UtcDateTime;
            created.Status = new V1PodStatus { Phase = "Pending" };
            _pods[name] = Record(WatchEventType.Added, created);
            return Task.FromResult(Clone(created));
        }
    }

    public Task<V1Pod?> ReadPodAsync(string name, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            return Task.FromResult(_pods.TryGetValue(name, out var pod) ? Clone(pod) : null);
        }
    }

    public Task<bool> DeletePodAsync(string name, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            _calls.Add($"delete pod {name}");
            if (!_pods.Remove(name, out var pod))
            {
                return Task.FromResult(false);
            }

            Record(WatchEventType.Deleted, pod);
            foreach (var owned in _secrets.Where(s => s.Value.Metadata.OwnerReferences?.Any(o => o.Uid == pod.Metadata.Uid) == true).Select(s => s.Key).ToList())
            {
                _secrets.Remove(owned);
            }

            return Task.FromResult(true);
        }
    }

    public Task CreateSecretAsync(V1Secret secret, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            var name = secret.Metadata.Name;
            _calls.Add($"create secret {name}");
            if (!_secrets.TryAdd(name, secret))
            {
                throw Refused(HttpStatusCode.Conflict, $"secrets \"{name}\" already exists", $"create secret {name}");
            }

            return Task.CompletedTask;
        }
    }

    public Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            _calls.Add($"delete secret {name}");
            return Task.FromResult(_secrets.Remove(name));
        }
    }

    public Task CreateClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ThrowIfRefused();
            var name = claim.Metadata.Name;
            _calls.Add($"create claim {name}");
            if (!_claims.TryAdd(name, claim))
            {
                throw Refused(HttpStatusCode.Conflict, $"persistentvolumeclaims \"{name}\" already exists", $"create volume claim {name}");
            }

            return Task.CompletedTask;
        }
    }

    public void Dispose() => Disposed = true;

    private static V1Pod Clone(V1Pod pod) => KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(pod));

    private T Locked<T>(Func<T> read)
    {
        lock (_sync)
        {
            return read();
        }
    }

    private void ThrowIfRefused()
    {
        if (Refusal?.Invoke() is { } refused)
        {
            throw refused;
        }
    }

    private string Version() => _version.ToString(CultureInfo.InvariantCulture);

    private V1Pod Record(WatchEventType type, V1Pod pod)
    {
        pod.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        var change = new PodWatchEvent(type, Clone(pod));
        _log.Add((_version, change));
        foreach (var watch in _watches)
        {
            watch.Writer.TryWrite(change);
        }

        return pod;
    }

    private void EndWatchesLocked(Exception? error)
    {
        foreach (var watch in _watches)
        {
            watch.Writer.TryComplete(error);
        }
    }
}
