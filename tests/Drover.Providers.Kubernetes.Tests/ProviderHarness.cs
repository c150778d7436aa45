using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing;
using Drover.Testing.Kubernetes;
using k8s;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>A <c>kubernetes</c> provider built by its factory from a kubeconfig file, against an emulated cluster.</summary>
internal sealed class ProviderHarness : IAsyncDisposable
{
    private readonly TempDirectory _directory = new("drover-k8s-");

    private ProviderHarness(KubernetesEmulator cluster) => Cluster = cluster;

    public KubernetesEmulator Cluster { get; }

    public KubernetesProvider Provider { get; private set; } = null!;

    public RunnerCredentialVault Vault { get; } = new();

    public ListLogger Logs { get; } = new();

    public FleetConfig Fleet { get; private set; } = null!;

    public static async Task<ProviderHarness> StartAsync(Dictionary<string, string>? settings = null, InstanceTemplate? template = null)
    {
        var harness = new ProviderHarness(await KubernetesEmulator.StartAsync("east"));
        var values = new Dictionary<string, string>(settings ?? [], StringComparer.Ordinal)
        {
            ["kubeconfig"] = harness.Cluster.WriteKubeconfig(harness._directory.Path),
            ["namespace"] = "ci",
        };
        var provider = new ProviderConfig { Name = "k8s-east", Type = "kubernetes", Settings = values };
        harness.Fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
            Providers = [provider],
            Pools = [new PoolConfig { Name = "linux", Forge = "github", Scope = new PoolScope(ScopeKind.Organization, "acme"), Provider = "k8s-east", Template = template ?? new InstanceTemplate() }],
        };
        var context = new AdapterContext(harness.Fleet, harness.Vault, TimeProvider.System, harness.Logs);
        harness.Provider = (KubernetesProvider)KubernetesProviderFactory.Create(provider, context);
        return harness;
    }

    public InstanceRequest Request(string key, string credential = "jit-for-")
    {
        var reference = Vault.Put(key, new RunnerCredential("jit-config", credential + key));
        return new InstanceRequest("linux", key, Fleet.Pools[0].Template, reference);
    }

    public Task<T> Until<T>(Func<Task<T?>> probe, string what, int seconds = 10)
        where T : class =>
        Eventually.ValueAsync(probe, what, TimeSpan.FromSeconds(seconds), TimeSpan.FromMilliseconds(20));

    public async ValueTask DisposeAsync()
    {
        await Provider.DisposeAsync();
        await Cluster.DisposeAsync();
        _directory.Dispose();
    }
}
