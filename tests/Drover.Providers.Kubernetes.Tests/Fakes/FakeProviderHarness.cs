using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Providers.Kubernetes.Tests.Fakes;

/// <summary>A <c>kubernetes</c> provider on the in-memory pod API, with a fake clock and a fixed jitter draw.</summary>
internal sealed class FakeProviderHarness : IAsyncDisposable
{
    private FakeProviderHarness(KubernetesProviderSettings settings, InstanceTemplate? template, double jitter)
    {
        Api = new FakePodApi(Time);
        Fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
            Providers = [new ProviderConfig { Name = settings.ProviderName, Type = "kubernetes" }],
            Pools = [new PoolConfig { Name = "linux", Forge = "github", Scope = new PoolScope(ScopeKind.Organization, "acme"), Provider = settings.ProviderName, Template = template ?? new InstanceTemplate() }],
        };
        Provider = new KubernetesProvider(settings, Api, () => Fleet, Vault, Time, new FixedRandom(jitter), Logs);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 7, 1, 0, 0, TimeSpan.Zero));

    public FakePodApi Api { get; }

    public ListLogger Logs { get; } = new();

    public RunnerCredentialVault Vault { get; } = new();

    public FleetConfig Fleet { get; }

    public KubernetesProvider Provider { get; }

    public IReadOnlyList<string> Warnings => [.. Logs.Messages.Where(m => m.StartsWith("Warning:", StringComparison.Ordinal))];

    public static FakeProviderHarness Create(Func<KubernetesProviderSettings, KubernetesProviderSettings>? settings = null, InstanceTemplate? template = null, double jitter = 0)
    {
        var defaults = new KubernetesProviderSettings { ProviderName = "k8s-east", Namespace = "ci" };
        return new FakeProviderHarness(settings?.Invoke(defaults) ?? defaults, template, jitter);
    }

    public InstanceRequest Request(string key, string credential = "jit-for-")
    {
        var reference = Vault.Put(key, new RunnerCredential("jit-config", credential + key));
        return new InstanceRequest("linux", key, Fleet.Pools[0].Template, reference);
    }

    /// <summary>A pod of this provider, as if created earlier (by another replica or before a restart).</summary>
    public V1Pod Seed(string name, string phase = "Running") => Api.Seed(new V1Pod
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            NamespaceProperty = "ci",
            Labels = new Dictionary<string, string> { [KubernetesNames.ManagedBy] = "drover", [KubernetesNames.Controller] = "drover", [KubernetesNames.Provider] = "k8s-east", [KubernetesNames.Pool] = "linux" },
            Annotations = new Dictionary<string, string> { [KubernetesNames.IdempotencyKey] = name },
        },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "runner", Image = "runner" }] },
        Status = new V1PodStatus { Phase = phase },
    });

    public PodInformerStatus Status() => Provider.CacheStatus();

    /// <summary>Waits (briefly, in real time) for the informer's background loop to reach a state.</summary>
    public Task UntilAsync(Func<PodInformerStatus, bool> condition, string what) =>
        Eventually.TrueAsync(() => condition(Status()), what, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(2));

    public Task UntilAsync(Func<bool> condition, string what) =>
        Eventually.TrueAsync(condition, what, TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(2));

    /// <summary>Waits until the informer backs off after its <paramref name="failures"/>th failure in a row; returns until when.</summary>
    public async Task<DateTimeOffset> BackingOffAsync(int failures)
    {
        await UntilAsync(s => s.State == WatchState.BackingOff && s.Failures == failures, $"backing off after {failures} failures");
        return Status().BackingOffUntil!.Value;
    }

    /// <summary>Moves the fake clock to <paramref name="at"/> (never back).</summary>
    public void AdvanceTo(DateTimeOffset at)
    {
        var by = at - Time.GetUtcNow();
        if (by > TimeSpan.Zero)
        {
            Time.Advance(by);
        }
    }

    public async ValueTask DisposeAsync() => await Provider.DisposeAsync();
}
