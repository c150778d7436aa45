using System.Collections.Concurrent;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Simulation.Demo;
using Drover.Testing.Modules;

namespace Drover.Server.Tests.Support;

/// <summary>
/// One simulated world that several replicas talk to, as real replicas share one forge and one cloud: providers and
/// forges come from the catalog (type <c>process</c>, kinds GitHub and GitLab) and are the world's own, wrapped. The
/// world's job events reach the replicas only as webhooks, which the wrapped forges verify (a shared secret header)
/// and interpret (the event stored under the delivery id).
/// </summary>
public sealed class SharedWorld
{
    public const string SecretHeader = "X-Test-Secret";
    public const string Secret = "shared-world-secret";

    private readonly DemoWorld _world;
    private readonly ConcurrentDictionary<string, JobEvent> _payloads = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _creates = new(StringComparer.Ordinal);
    private readonly Lock _attach = new();
    private long _deliveries;

    public SharedWorld(DemoOptions options)
    {
        _world = new DemoWorld(DemoFleet.Load(), options, TimeProvider.System);
    }

    /// <summary>Create calls per idempotency key, over every replica.</summary>
    public IReadOnlyDictionary<string, int> CreateCalls => _creates;

    /// <summary>The catalog a replica is built with.</summary>
    public AdapterCatalog Catalog() => new AdapterCatalog()
        .Add(new TestProviderModule("process", (config, context) => new Provider(this, _world.Providers.Single(p => p.Name == config.Name), context.Vault)))
        .Add(new TestForgeModule(ForgeKind.GitHub, (config, _) => new Forge(this, _world.Forges.Single(f => f.Name == config.Name))))
        .Add(new TestForgeModule(ForgeKind.GitLab, (config, _) => new Forge(this, _world.Forges.Single(f => f.Name == config.Name))));

    /// <summary>The fleet of the replicas: the demo fleet with its providers of type <c>process</c>.</summary>
    public static string FleetYaml() => DemoFleet.Yaml().Replace("type: simulated", "type: process", StringComparison.Ordinal);

    /// <summary>Advances the world; each job event becomes one webhook request (path and body) to send to some replica.</summary>
    public IReadOnlyList<(string Path, string DeliveryId, byte[] Body)> Tick()
    {
        var requests = new List<(string, string, byte[])>();
        foreach (var e in _world.Tick())
        {
            var id = $"d-{Interlocked.Increment(ref _deliveries)}";
            _payloads[id] = e;
            var kind = e.Key.Forge == "gitlab" ? "gitlab" : "github";
            requests.Add(($"/webhooks/{kind}/{e.Key.Forge}", id, Encoding.UTF8.GetBytes($$"""{"delivery":"{{id}}"}""")));
        }

        return requests;
    }

    /// <summary>Every live instance in the world's providers.</summary>
    public async Task<IReadOnlyList<ProviderInstance>> InstancesAsync() =>
        [.. (await Task.WhenAll(_world.Providers.Select(p => p.ListAsync(CancellationToken.None)))).SelectMany(i => i)];

    private sealed class Provider(SharedWorld shared, IProvider inner, RunnerCredentialVault vault) : IProvider
    {
        public string Name => inner.Name;

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
        {
            shared._creates.AddOrUpdate(request.IdempotencyKey, 1, (_, n) => n + 1);
            lock (shared._attach)
            {
                // Only the leader creates: the world resolves credentials in the calling replica's vault.
                shared._world.Attach(vault);
                return inner.CreateAsync(request, cancellationToken);
            }
        }

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) => inner.DeleteAsync(instanceId, cancellationToken);

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);
    }

    private sealed class Forge(SharedWorld shared, IForge inner) : IForge, IWebhookReceiver
    {
        public string Name => inner.Name;

        public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken) =>
            inner.MintRunnerCredentialAsync(pool, runnerName, cancellationToken);

        public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken) => inner.ListRunnersAsync(cancellationToken);

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => inner.UnregisterAsync(forgeRunnerId, cancellationToken);

        public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body) =>
            header(SecretHeader) == Secret ? WebhookVerdict.Accepted : WebhookVerdict.Unauthorized($"header {SecretHeader}: missing or wrong");

        public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<JobEvent>>(
                shared._payloads.TryGetValue(delivery.DeliveryId, out var e) ? [e with { DeliveryId = delivery.DeliveryId }] : throw new FormatException($"unknown delivery {delivery.DeliveryId}"));
    }
}
