using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Drover.Testing.GitHub;
using k8s;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Testing.Kubernetes;

/// <summary>
/// An in-process Kubernetes API server on 127.0.0.1 (Kestrel, port 0) for the calls the <c>kubernetes</c> provider
/// makes, with the real semantics that matter: resource versions, list and watch (chunked JSON lines, bookmarks off,
/// <c>ERROR</c> with a <c>410 Gone</c> Status for a compacted resource version), label selectors, <c>409
/// AlreadyExists</c> and <c>404 NotFound</c> Status objects, a pod-count quota answered <c>403 exceeded quota</c>, garbage
/// collection of secrets owned by a deleted pod, injected 5xx and latency, and seeded random faults (<see cref="Faults"/>:
/// 5xx, 429 with <c>Retry-After</c>, hangs, answers lost after the change was made, watches cut). A scheduler and kubelet stand-in moves pods
/// Pending → Running → Succeeded/Failed as <see cref="Outcome"/> scripts (unschedulable, image pull errors, eviction);
/// a running pod runs <see cref="Kubelet"/> with its credential read from its secret, as the container would (while the
/// secret is missing the container waits with <c>CreateContainerConfigError</c>).
/// </summary>
public sealed class KubernetesEmulator : IAsyncDisposable
{
    private WebApplication _app = null!;
    private readonly Lock _sync = new();
    private readonly Dictionary<(string Ns, string Name), V1Pod> _pods = [];
    private readonly Dictionary<(string Ns, string Name), V1Secret> _secrets = [];
    private readonly Dictionary<(string Ns, string Name), V1PersistentVolumeClaim> _claims = [];
    private readonly List<Corev1Event> _events = [];
    private readonly List<(long Version, string Type, V1Pod Pod)> _podLog = [];
    private readonly List<Channel<(long, string, V1Pod)>> _watchers = [];
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private long _version = 100;
    private long _compactedBelow;
    private int _highWater;
    private int _objectHighWater;
    private int _failNext;
    private string? _failMethod;
    private readonly List<string> _overlaps = [];

    /// <summary>Where a cut watch's moment of cutting waits for the watch's handler.</summary>
    private const string CutAfter = "emulator.cut-after";

    private KubernetesEmulator(string name)
    {
        Name = name;
    }

    /// <summary>The cluster's name (for messages).</summary>
    public string Name { get; }

    /// <summary>The API server's URL.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Decides each new pod's fate; default: every pod runs.</summary>
    public Func<V1Pod, PodOutcome> Outcome { get; set; } = _ => PodOutcome.Run;

    /// <summary>What a running pod's runner container does, given its credential; returns the exit code.</summary>
    public Func<V1Pod, string, CancellationToken, Task<int>> Kubelet { get; set; } = (_, _, _) => Task.FromResult(0);

    /// <summary>How long scheduling and starting a pod takes.</summary>
    public TimeSpan StartDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>At most this many pods may exist in a namespace; more are refused with 403 exceeded quota. Null: no quota.</summary>
    public int? PodQuota { get; set; }

    /// <summary>Extra latency before every API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>
    /// Seeded random faults on API calls, in the API server's words: <see cref="RandomFault.ServerError"/> a <c>500
    /// InternalError</c> Status before anything is done; <see cref="RandomFault.RateLimited"/> a <c>429
    /// TooManyRequests</c> Status with <c>Retry-After</c>; <see cref="RandomFault.Hang"/> the call held, then carried
    /// out; <see cref="RandomFault.LostAnswer"/> (a create or delete) carried out, then answered <c>500
    /// InternalError</c>, so a retried create meets <c>409 AlreadyExists</c> and a retried delete <c>404 NotFound</c>;
    /// <see cref="RandomFault.Cut"/> (a watch) its connection dropped after a seeded 0–2 s.
    /// </summary>
    public RandomFaults Faults { get; } = new();

    /// <summary>
    /// The pod annotation that names a pod's identity (its runner's idempotency key); two pods that exist at once with the
    /// same value are recorded in <see cref="Overlaps"/>.
    /// </summary>
    public string IdentityAnnotation { get; set; } = "drover.dev/idempotency-key";

    /// <summary>Each pod created while another pod with the same <see cref="IdentityAnnotation"/> existed.</summary>
    public IReadOnlyList<string> Overlaps
    {
        get
        {
            lock (_sync)
            {
                return [.. _overlaps];
            }
        }
    }

    /// <summary>
    /// The most pods that were Pending or Running at once: pods that hold, or wait for, a node's resources. A finished pod
    /// (Succeeded or Failed) waiting for its deletion is not counted.
    /// </summary>
    public int HighWater => Volatile.Read(ref _highWater);

    /// <summary>The pods (name:phase) counted at <see cref="HighWater"/>.</summary>
    public IReadOnlyList<string> HighWaterPods { get; private set; } = [];

    /// <summary>The most pods that existed at once, finished ones included.</summary>
    public int ObjectHighWater => Volatile.Read(ref _objectHighWater);

    /// <summary>Watch streams open now.</summary>
    public int OpenWatches
    {
        get
        {
            lock (_sync)
            {
                return _watchers.Count;
            }
        }
    }

    /// <summary>Requests received, as <c>METHOD path status</c>.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Starts an emulator.</summary>
    public static async Task<KubernetesEmulator> StartAsync(string name = "emulated")
    {
        var emulator = new KubernetesEmulator(name);
        (emulator._app, emulator.Url) = await LoopbackApp.StartAsync(emulator.Map);
        return emulator;
    }

    /// <summary>A kubeconfig file for this cluster, written to <paramref name="directory"/>; returns its path.</summary>
    public string WriteKubeconfig(string directory, string context = "emulated")
    {
        var path = Path.Combine(directory, $"kubeconfig-{Name}");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
              - name: {Name}
                cluster: {"{"} server: "{Url.ToString().TrimEnd('/')}" {"}"}
            users:
              - name: drover
                user: {"{"} token: emulator-token {"}"}
            contexts:
              - name: {context}
                context: {"{"} cluster: {Name}, user: drover {"}"}
            current-context: {context}
            """);
        return path;
    }

    /// <summary>The pods that exist now (not deleted), by namespace/name.</summary>
    public IReadOnlyList<V1Pod> Pods()
    {
        lock (_sync)
        {
            return [.. _pods.Values];
        }
    }

    /// <summary>The secrets that exist now.</summary>
    public IReadOnlyList<V1Secret> Secrets()
    {
        lock (_sync)
        {
            return [.. _secrets.Values];
        }
    }

    /// <summary>The volume claims that exist now.</summary>
    public IReadOnlyList<V1PersistentVolumeClaim> Claims()
    {
        lock (_sync)
        {
            return [.. _claims.Values];
        }
    }

    /// <summary>The events the scheduler and kubelet recorded.</summary>
    public IReadOnlyList<Corev1Event> Events()
    {
        lock (_sync)
        {
            return [.. _events];
        }
    }

    /// <summary>Forgets the watch history: a watch from any resource version seen so far gets 410 Gone.</summary>
    public void Compact()
    {
        lock (_sync)
        {
            // Writes elsewhere in the cluster moved the version on, and every event so far is forgotten: a watch must
            // start from the new current version or later.
            _version += 10;
            _compactedBelow = _version;
            _podLog.Clear();
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    /// <summary>The next <paramref name="count"/> API requests with <paramref name="method"/> (any when null) are answered 500.</summary>
    public void FailNext(int count, string? method = null)
    {
        _failMethod = method;
        Interlocked.Exchange(ref _failNext, count);
    }

    /// <summary>Evicts a running pod now (phase Failed, reason Evicted), as the kubelet does under node pressure.</summary>
    public void Evict(string ns, string name) => Finish(ns, name, "Failed", "Evicted", "The node was low on resource: memory.");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var running in _running.Values)
        {
            Stop(running);
        }

        lock (_sync)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }
        }

        await _app.DisposeAsync();
        _stop.Dispose();
    }

    private bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failNext);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _failNext, left - 1, left) == left)
            {
                return true;
            }
        }
    }

    private void Map(WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency);
            }

            if ((_failMethod is null || _failMethod == context.Request.Method) && TakeFailure())
            {
                await Write(context, 500, Status(500, "InternalError", "injected failure"));
                Requests.Enqueue($"{context.Request.Method} {context.Request.Path} 500");
                return;
            }

            var watch = context.Request.Query["watch"] is var w && (w == "true" || w == "1");
            var fault = Faults.Draw(context.Request.Path.Value ?? "/", context.Request.Method is "POST" or "PUT" or "PATCH" or "DELETE", watch);
            switch (fault)
            {
                case RandomFault.Hang:
                    await Task.Delay(Faults.HangFor);
                    break;
                case RandomFault.ServerError:
                    await Write(context, 500, Status(500, "InternalError", "Internal error occurred: the server could not complete the request"));
                    Requests.Enqueue($"{context.Request.Method} {context.Request.Path} 500 (fault)");
                    return;
                case RandomFault.RateLimited:
                    var seconds = (int)Math.Ceiling(Faults.RandomRetryAfter.TotalSeconds);
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    var status = Status(429, "TooManyRequests", "Too many requests, please try again later.");
                    status["details"] = new JsonObject { ["retryAfterSeconds"] = seconds };
                    await Write(context, 429, status);
                    Requests.Enqueue($"{context.Request.Method} {context.Request.Path} 429 (fault)");
                    return;
                case RandomFault.Cut:
                    context.Items[CutAfter] = TimeSpan.FromMilliseconds(Faults.NextDouble() * 2000);
                    break;
                case RandomFault.LostAnswer:
                    await LoseAnswerAsync(context, next);
                    return;
            }

            if (watch)
            {
                Requests.Enqueue($"WATCH {context.Request.Path}{context.Request.QueryString}");
            }

            try
            {
                await next(context);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Requests.Enqueue($"{context.Request.Method} {context.Request.Path} threw {e.GetType().Name}: {e.Message}");
                throw;
            }

            Requests.Enqueue($"{context.Request.Method} {context.Request.Path} {context.Response.StatusCode}");
        });

        app.MapGet("/api/v1/namespaces/{ns}/pods", ListOrWatchPods);
        app.MapPost("/api/v1/namespaces/{ns}/pods", CreatePod);
        app.MapGet("/api/v1/namespaces/{ns}/pods/{name}", (HttpContext c, string ns, string name) => Get(c, _pods, ns, name, "pods"));
        app.MapDelete("/api/v1/namespaces/{ns}/pods/{name}", DeletePod);
        app.MapPost("/api/v1/namespaces/{ns}/secrets", (HttpContext c, string ns) => Create(c, _secrets, ns, "secrets", (V1Secret s) => s.Metadata));
        app.MapGet("/api/v1/namespaces/{ns}/secrets/{name}", (HttpContext c, string ns, string name) => Get(c, _secrets, ns, name, "secrets"));
        app.MapDelete("/api/v1/namespaces/{ns}/secrets/{name}", (HttpContext c, string ns, string name) => Delete(c, _secrets, ns, name, "secrets"));
        app.MapPost("/api/v1/namespaces/{ns}/persistentvolumeclaims", (HttpContext c, string ns) => Create(c, _claims, ns, "persistentvolumeclaims", (V1PersistentVolumeClaim s) => s.Metadata));
        app.MapGet("/api/v1/namespaces/{ns}/persistentvolumeclaims/{name}", (HttpContext c, string ns, string name) => Get(c, _claims, ns, name, "persistentvolumeclaims"));
        app.MapGet("/api/v1/namespaces/{ns}/events", (HttpContext c, string ns) =>
        {
            lock (_sync)
            {
                return Write(c, 200, new Corev1EventList { ApiVersion = "v1", Kind = "EventList", Metadata = new V1ListMeta { ResourceVersion = Version() }, Items = [.. _events.Where(e => e.Metadata.NamespaceProperty == ns)] });
            }
        });
    }

    /// <summary>
    /// Carries the call out, then drops its answer and says <c>500 InternalError</c> instead (as when the API server's
    /// answer is lost on the way back); a call that was refused changed nothing, and its refusal goes out as it is.
    /// </summary>
    private async Task LoseAnswerAsync(HttpContext context, RequestDelegate next)
    {
        var real = context.Response.Body;
        using var dropped = new MemoryStream();
        context.Response.Body = dropped;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = real;
        }

        var done = context.Response.StatusCode;
        if (done is >= 200 and < 300)
        {
            await Write(context, 500, Status(500, "InternalError", "Internal error occurred: the answer was lost after the change was made"));
            Requests.Enqueue($"{context.Request.Method} {context.Request.Path} {done}, answer lost: 500 (fault)");
            return;
        }

        dropped.Position = 0;
        await dropped.CopyToAsync(real);
        Requests.Enqueue($"{context.Request.Method} {context.Request.Path} {done}");
    }

    private async Task ListOrWatchPods(HttpContext context, string ns)
    {
        var query = context.Request.Query;
        var selector = Selector.Parse(query["labelSelector"]);
        if (query["watch"] != "true" && query["watch"] != "1")
        {
            V1PodList list;
            lock (_sync)
            {
                list = new V1PodList { ApiVersion = "v1", Kind = "PodList", Metadata = new V1ListMeta { ResourceVersion = Version() }, Items = [.. _pods.Values.Where(p => p.Metadata.NamespaceProperty == ns && selector.Matches(p.Metadata.Labels))] };
            }

            await Write(context, 200, list);
            return;
        }

        var from = long.TryParse(query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) ? rv : 0;
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : TimeSpan.FromMinutes(5);
        var channel = Channel.CreateUnbounded<(long, string, V1Pod)>();
        var gone = false;
        lock (_sync)
        {
            if (from != 0 && from < _compactedBelow)
            {
                gone = true;
            }
            else
            {
                foreach (var entry in _podLog.Where(e => e.Version > from))
                {
                    channel.Writer.TryWrite(entry);
                }

                _watchers.Add(channel);
            }
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        if (gone)
        {
            await WriteLine(context, $"{{\"type\":\"ERROR\",\"object\":{Status(410, "Expired", $"too old resource version: {from} ({_compactedBelow})").ToJsonString()}}}");
            return;
        }

        using var end = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stop.Token);
        var cut = context.Items[CutAfter] is TimeSpan after && after < timeout;
        end.CancelAfter(cut ? (TimeSpan)context.Items[CutAfter]! : timeout);
        await context.Response.Body.FlushAsync(end.Token);
        try
        {
            await foreach (var (_, type, pod) in channel.Reader.ReadAllAsync(end.Token))
            {
                if (pod.Metadata.NamespaceProperty == ns && selector.Matches(pod.Metadata.Labels))
                {
                    await WriteLine(context, $"{{\"type\":\"{type}\",\"object\":{KubernetesJson.Serialize(pod)}}}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The watch's time is up, the client left or the emulator stops.
        }
        finally
        {
            lock (_sync)
            {
                _watchers.Remove(channel);
            }
        }

        if (cut && !context.RequestAborted.IsCancellationRequested && !_stop.IsCancellationRequested)
        {
            // A fault: the connection dropped mid-watch (a load balancer's idle cut, an API server restart).
            Requests.Enqueue($"WATCH {context.Request.Path} cut (fault)");
            context.Abort();
        }
    }

    private async Task CreatePod(HttpContext context, string ns)
    {
        var pod = KubernetesJson.Deserialize<V1Pod>(await new StreamReader(context.Request.Body).ReadToEndAsync());
        V1Pod created;
        lock (_sync)
        {
            var key = (ns, pod.Metadata.Name);
            if (_pods.ContainsKey(key))
            {
                _ = Write(context, 409, Status(409, "AlreadyExists", $"pods \"{pod.Metadata.Name}\" already exists"));
                return;
            }

            if (PodQuota is { } quota && _pods.Keys.Count(k => k.Ns == ns) >= quota)
            {
                _ = Write(context, 403, Status(403, "Forbidden", $"pods \"{pod.Metadata.Name}\" is forbidden: exceeded quota: runners, requested: pods=1, used: pods={quota}, limited: pods={quota}"));
                return;
            }

            if (pod.Metadata.Annotations?.TryGetValue(IdentityAnnotation, out var identity) == true
                && _pods.Values.FirstOrDefault(p => p.Metadata.Annotations?.TryGetValue(IdentityAnnotation, out var other) == true && other == identity) is { } twin)
            {
                _overlaps.Add($"pod {pod.Metadata.Name} created while pod {twin.Metadata.Name} ({twin.Status?.Phase}) of the same {IdentityAnnotation} {identity} existed");
            }

            pod.Metadata.NamespaceProperty = ns;
            pod.Metadata.Uid = Guid.NewGuid().ToString();
            pod.Metadata.CreationTimestamp = DateTime.UtcNow;
            pod.Status = new V1PodStatus { Phase = "Pending" };
            created = Record(pod, "ADDED");
            _pods[key] = created;
            _objectHighWater = Math.Max(_objectHighWater, _pods.Count);
        }

        await Write(context, 201, created);
        _ = Task.Run(() => LifeAsync(ns, created.Metadata.Name, created));
    }

    private async Task DeletePod(HttpContext context, string ns, string name)
    {
        V1Pod? pod;
        lock (_sync)
        {
            if (_pods.Remove((ns, name), out pod))
            {
                Record(pod, "DELETED");
                foreach (var owned in _secrets.Where(s => s.Value.Metadata.OwnerReferences?.Any(o => o.Uid == pod.Metadata.Uid) == true).Select(s => s.Key).ToList())
                {
                    _secrets.Remove(owned);
                }
            }
        }

        if (pod is null)
        {
            await Write(context, 404, Status(404, "NotFound", $"pods \"{name}\" not found"));
            return;
        }

        if (_running.TryRemove($"{ns}/{name}", out var running))
        {
            Stop(running);
        }

        await Write(context, 200, pod);
    }

    private async Task LifeAsync(string ns, string name, V1Pod pod)
    {
        try
        {
            await Task.Delay(StartDelay, _stop.Token);
            var outcome = Outcome(pod);
            switch (outcome)
            {
                case PodOutcome.Unschedulable:
                    Update(ns, name, p => p.Status.Conditions = [Condition("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available.")]);
                    Event(ns, name, "FailedScheduling", "0/3 nodes are available: 3 Insufficient cpu.");
                    return;
                case PodOutcome.ImagePullError:
                    Update(ns, name, p =>
                    {
                        p.Status.Conditions = [Condition("PodScheduled", "True", null, null)];
                        p.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = p.Spec.Containers[0].Image, ImageID = string.Empty, Ready = false, RestartCount = 0, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ErrImagePull", Message = $"failed to pull image \"{p.Spec.Containers[0].Image}\": not found" } } }];
                    });
                    Event(ns, name, "Failed", "Failed to pull image");
                    return;
            }

            // The kubelet needs the secret the runner's environment names before it can start the container.
            var secretName = pod.Spec.Containers[0].Env?.FirstOrDefault(e => e.ValueFrom?.SecretKeyRef is not null)?.ValueFrom.SecretKeyRef;
            var credential = string.Empty;
            var missing = false;
            while (secretName is not null)
            {
                lock (_sync)
                {
                    if (!_pods.ContainsKey((ns, name)))
                    {
                        return;
                    }

                    if (_secrets.TryGetValue((ns, secretName.Name), out var secret))
                    {
                        credential = secret.Data is { } data && data.TryGetValue(secretName.Key, out var bytes) ? Encoding.UTF8.GetString(bytes) : string.Empty;
                        break;
                    }
                }

                if (!missing)
                {
                    // As the kubelet says while a container's secret is missing; it tries again until the secret exists.
                    missing = true;
                    var secretMissing = secretName.Name;
                    Update(ns, name, p =>
                    {
                        p.Status.Conditions = [Condition("PodScheduled", "True", null, null)];
                        p.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = p.Spec.Containers[0].Image, ImageID = string.Empty, Ready = false, RestartCount = 0, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = $"secret \"{secretMissing}\" not found" } } }];
                    });
                }

                await Task.Delay(20, _stop.Token);
            }

            using var container = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            _running[$"{ns}/{name}"] = container;
            Update(ns, name, p =>
            {
                p.Spec.NodeName = $"{Name}-node-1";
                p.Status.Phase = "Running";
                p.Status.Conditions = [Condition("PodScheduled", "True", null, null), Condition("Ready", "True", null, null)];
                p.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = p.Spec.Containers[0].Image, ImageID = string.Empty, Ready = true, RestartCount = 0, Started = true, State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = DateTime.UtcNow } } }];
            });
            if (outcome == PodOutcome.Evicted)
            {
                await Task.Delay(StartDelay, _stop.Token);
                Evict(ns, name);
                return;
            }

            var exit = await Kubelet(pod, credential, container.Token);
            Finish(ns, name, exit == 0 ? "Succeeded" : "Failed", exit == 0 ? null : "Error", exit == 0 ? null : $"runner exited with code {exit}");
        }
        catch (OperationCanceledException)
        {
            // Deleted, or the emulator stops.
        }
        finally
        {
            _running.TryRemove($"{ns}/{name}", out _);
        }
    }

    private void Finish(string ns, string name, string phase, string? reason, string? message)
    {
        lock (_sync)
        {
            if (_pods.TryGetValue((ns, name), out var current) && current.Status?.Phase is "Succeeded" or "Failed")
            {
                // A pod ends once: an evicted runner's container stopping afterwards changes nothing.
                return;
            }
        }

        Update(ns, name, p =>
        {
            p.Status.Phase = phase;
            p.Status.Reason = reason;
            p.Status.Message = message;
            p.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = p.Spec.Containers[0].Image, ImageID = string.Empty, Ready = false, RestartCount = 0, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = phase == "Succeeded" ? 0 : 137, Reason = reason ?? "Completed" } } }];
        });
        if (reason == "Evicted" && _running.TryRemove($"{ns}/{name}", out var running))
        {
            Stop(running);
        }
    }

    /// <summary>Stops a running container; its run may be ending (and disposing its token source) at the same moment.</summary>
    private static void Stop(CancellationTokenSource container)
    {
        try
        {
            container.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The container ended on its own meanwhile.
        }
    }

    private void Update(string ns, string name, Action<V1Pod> change)
    {
        lock (_sync)
        {
            if (!_pods.TryGetValue((ns, name), out var current))
            {
                return;
            }

            var next = KubernetesJson.Deserialize<V1Pod>(KubernetesJson.Serialize(current));
            change(next);
            _pods[(ns, name)] = Record(next, "MODIFIED");
        }
    }

    private V1Pod Record(V1Pod pod, string type)
    {
        pod.Metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
        var entry = (_version, type, pod);
        _podLog.Add(entry);
        if (_podLog.Count > 10_000)
        {
            _compactedBelow = _podLog[0].Version;
            _podLog.RemoveAt(0);
        }

        foreach (var watcher in _watchers)
        {
            watcher.Writer.TryWrite(entry);
        }

        var active = _pods.Values.Count(p => p.Metadata.Name != pod.Metadata.Name && p.Status?.Phase is "Pending" or "Running")
            + (type != "DELETED" && pod.Status?.Phase is "Pending" or "Running" ? 1 : 0);
        if (active > _highWater)
        {
            _highWater = active;
            HighWaterPods = [.. _pods.Values.Where(p => p.Status?.Phase is "Pending" or "Running").Select(p => $"{p.Metadata.Name}:{p.Status.Phase}")];
        }

        return pod;
    }

    private void Event(string ns, string pod, string reason, string message)
    {
        lock (_sync)
        {
            _events.Add(new Corev1Event
            {
                ApiVersion = "v1",
                Kind = "Event",
                Metadata = new V1ObjectMeta { Name = $"{pod}.{_events.Count}", NamespaceProperty = ns },
                InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = pod, NamespaceProperty = ns },
                Reason = reason,
                Message = message,
                Type = "Warning",
            });
        }
    }

    private async Task Create<T>(HttpContext context, Dictionary<(string, string), T> store, string ns, string resource, Func<T, V1ObjectMeta> meta)
    {
        var item = KubernetesJson.Deserialize<T>(await new StreamReader(context.Request.Body).ReadToEndAsync());
        if (item is V1Secret { StringData: { } text } secret)
        {
            // The API server stores stringData as data and never returns it.
            secret.Data ??= new Dictionary<string, byte[]>();
            foreach (var (key, value) in text)
            {
                secret.Data[key] = Encoding.UTF8.GetBytes(value);
            }

            secret.StringData = null;
        }

        var metadata = meta(item);
        lock (_sync)
        {
            if (store.ContainsKey((ns, metadata.Name)))
            {
                _ = Write(context, 409, Status(409, "AlreadyExists", $"{resource} \"{metadata.Name}\" already exists"));
                return;
            }

            metadata.NamespaceProperty = ns;
            metadata.Uid = Guid.NewGuid().ToString();
            metadata.CreationTimestamp = DateTime.UtcNow;
            metadata.ResourceVersion = (++_version).ToString(CultureInfo.InvariantCulture);
            store[(ns, metadata.Name)] = item;
            if (metadata.OwnerReferences is { Count: > 0 } owners && !owners.Any(o => _pods.Values.Any(p => p.Metadata.Uid == o.Uid)))
            {
                // The garbage collector deletes an object whose owners are all gone (e.g. a secret created for a pod
                // deleted meanwhile) moments after it is created.
                store.Remove((ns, metadata.Name));
            }
        }

        await Write(context, 201, item!);
    }

    private Task Get<T>(HttpContext context, Dictionary<(string, string), T> store, string ns, string name, string resource)
    {
        lock (_sync)
        {
            return store.TryGetValue((ns, name), out var item)
                ? Write(context, 200, item!)
                : Write(context, 404, Status(404, "NotFound", $"{resource} \"{name}\" not found"));
        }
    }

    private Task Delete<T>(HttpContext context, Dictionary<(string, string), T> store, string ns, string name, string resource)
    {
        lock (_sync)
        {
            return store.Remove((ns, name), out var item)
                ? Write(context, 200, item!)
                : Write(context, 404, Status(404, "NotFound", $"{resource} \"{name}\" not found"));
        }
    }

    private string Version() => _version.ToString(CultureInfo.InvariantCulture);

    private static V1PodCondition Condition(string type, string status, string? reason, string? message) =>
        new() { Type = type, Status = status, Reason = reason, Message = message, LastTransitionTime = DateTime.UtcNow };

    /// <summary>A Status object as the API server writes it (the client's model can read one but not write it).</summary>
    private static JsonObject Status(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    private static async Task Write(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body is JsonNode node ? node.ToJsonString() : KubernetesJson.Serialize(body));
    }

    private static async Task WriteLine(HttpContext context, string line)
    {
        await context.Response.WriteAsync(line + "\n");
        await context.Response.Body.FlushAsync();
    }
}
