using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Kubernetes;
using k8s.Models;

namespace Drover.Chaos.Tests;

/// <summary>
/// The <c>kubernetes</c> provider in a chaos run, against the in-process Kubernetes emulator: <c>drover serve</c> finds
/// the API server through a kubeconfig file; the emulator's kubelet runs each pod's runner (the stand-in runner, in this
/// process, with the JIT config read from the pod's secret), so pods outlive a killed server as they would in a cluster.
/// The API gets seeded random faults (<see cref="ChaosOptions.ProviderFaultRate"/>); a spot interruption evicts the pod
/// under its job. A runner leaves behind its pod and its credential secret.
/// </summary>
internal sealed class KubernetesChaosProvider : IChaosProvider
{
    private const string Namespace = "ci";
    private readonly KubernetesEmulator _cluster;
    private readonly string _kubeconfig;

    private KubernetesChaosProvider(KubernetesEmulator cluster, string kubeconfig)
    {
        _cluster = cluster;
        _kubeconfig = kubeconfig;
    }

    /// <inheritdoc/>
    public string Name => "cluster";

    /// <inheritdoc/>
    public string Noun => "pod";

    /// <inheritdoc/>
    public string Nouns => "pods";

    /// <inheritdoc/>
    public string ProviderYaml => $$"""
          - name: {{Name}}
            type: kubernetes
            settings:
              kubeconfig: "{{_kubeconfig}}"
              namespace: {{Namespace}}
        """;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, int> FaultsInjected => _cluster.Faults.Injected.ToDictionary(f => f.Key.ToString(), f => f.Value, StringComparer.Ordinal);

    /// <inheritdoc/>
    public int ApiCalls => _cluster.Requests.Count;

    /// <inheritdoc/>
    public IReadOnlyList<string> ApiRequests() => [.. _cluster.Requests];

    /// <summary>Starts the emulated cluster with the run's faults and a kubelet that runs the stand-in runner.</summary>
    public static async Task<KubernetesChaosProvider> StartAsync(ChaosOptions options, TempDirectory directory)
    {
        var cluster = await KubernetesEmulator.StartAsync("chaos");
        cluster.Faults.Seed(options.Seed);
        cluster.Faults.Rate = options.ProviderFaultRate;
        cluster.Faults.Kinds = options.ProviderFaults;
        cluster.Faults.HangFor = options.HangFor;
        cluster.Kubelet = RunStandInAsync;
        return new KubernetesChaosProvider(cluster, cluster.WriteKubeconfig(directory.Path));
    }

    /// <inheritdoc/>
    public int Running() => _cluster.Pods().Count(p => p.Status?.Phase is "Pending" or "Running");

    /// <inheritdoc/>
    public IReadOnlyList<ChaosInstance> Instances() =>
        [.. _cluster.Pods().Select(p => new ChaosInstance($"{p.Metadata.Name} ({p.Status?.Phase})", [Runner(p)]))];

    /// <inheritdoc/>
    public IReadOnlyList<string> LeftObjects() => [.. _cluster.Secrets().Select(s => $"secret {s.Metadata.Name}")];

    /// <inheritdoc/>
    public IReadOnlyList<string> Duplicates() => _cluster.Overlaps;

    /// <inheritdoc/>
    /// <remarks>The pod is evicted (phase Failed, reason Evicted) and its runner's container stopped, as when its node is drained or lost.</remarks>
    public string? Interrupt(string runner)
    {
        if (_cluster.Pods().FirstOrDefault(p => Runner(p) == runner && p.Status?.Phase == "Running") is not { } pod)
        {
            return null;
        }

        _cluster.Evict(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
        return $"pod {pod.Metadata.Name} evicted";
    }

    /// <inheritdoc/>
    public void StopFaults() => _cluster.Faults.Rate = 0;

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>The runner a pod was created for: its idempotency key, which is the runner's name.</summary>
    private string Runner(V1Pod pod) =>
        pod.Metadata.Annotations?.TryGetValue(_cluster.IdentityAnnotation, out var key) == true ? key : pod.Metadata.Name;

    private static async Task<int> RunStandInAsync(V1Pod pod, string jitConfig, CancellationToken cancellationToken)
    {
        try
        {
            return await StandInRunner.RunAsync(jitConfig, cancellationToken) is null ? 1 : 0;
        }
        catch (OperationCanceledException)
        {
            return 143;
        }
    }
}
