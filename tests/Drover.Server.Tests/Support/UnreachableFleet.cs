using System.Net;
using System.Net.Sockets;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Resilience;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Storage;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;

namespace Drover.Server.Tests.Support;

/// <summary>
/// The outage a user reported, with stand-in adapters that fail as the real ones do: the Kubernetes API refuses
/// connections, the GitHub App's key is refused (401), the GitLab host does not resolve; a local provider works. None of
/// them reports its own health, so what the server says comes from the calls the engine made through its call policy.
/// </summary>
internal static class UnreachableFleet
{
    public const string Yaml = """
        controllerId: drover
        forges:
          - name: github
            kind: github
            url: https://github.acme.example
            auth: { token: env:HOME }
          - name: gitlab
            kind: gitlab
            url: https://gitlab.acme.internal
            auth: { token: env:HOME }
        providers:
          - name: k8s
            type: kubernetes
          - name: local
            type: process
        pools:
          - name: linux
            forge: github
            scope: { org: acme }
            labels: [linux]
            provider: k8s
            max: 4
          - name: docker
            forge: gitlab
            scope: { group: acme }
            tags: [docker]
            provider: local
            max: 4
        """;

    /// <summary>
    /// Starts the server on a SQLite file in <paramref name="directory"/>; when <paramref name="halfOpenBreaker"/> names a
    /// provider, its breaker is stored as opened long ago (so it is half-open now).
    /// </summary>
    public static async Task<WebApplication> StartAsync(string directory, string? halfOpenBreaker = null)
    {
        var location = "sqlite:" + Path.Combine(directory, "state.db");
        if (halfOpenBreaker is not null)
        {
            await using var store = await StateStoreFactory.OpenAsync(location, CancellationToken.None);
            var opened = new CircuitBreakerState { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = DateTimeOffset.UtcNow.AddHours(-1) };
            await store.InTransactionAsync(
                async (writer, ct) =>
                {
                    await writer.SetBreakerAsync(halfOpenBreaker, opened, ct);
                    return true;
                },
                CancellationToken.None);
        }

        var catalog = new AdapterCatalog()
            .Add(new TestForgeModule(ForgeKind.GitHub, (config, _) => new FailingForge(config.Name, () => new HttpRequestException(
                "POST /app/installations/4242/access_tokens: 401 Unauthorized: A JSON web token could not be decoded", null, HttpStatusCode.Unauthorized))))
            .Add(new TestForgeModule(ForgeKind.GitLab, (config, _) => new FailingForge(config.Name, () => new HttpRequestException(
                "Name or service not known (gitlab.acme.internal:443)", new SocketException((int)SocketError.HostNotFound)))))
            .Add(new TestProviderModule("kubernetes", (config, _) => new Provider(config.Name, () => new HttpRequestException(
                "Connection refused (kubernetes.default.svc:443)", new SocketException((int)SocketError.ConnectionRefused)))))
            .Add(new TestProviderModule("process", (config, _) => new Provider(config.Name, null)));
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var app = await DroverServer.BuildAsync(new ServerOptions
        {
            LoadConfig = () => loader.LoadFromString(Yaml, "fleet.yaml"),
            StoreLocation = location,
            Urls = "http://127.0.0.1:0",
            Tokens = [.. ServerFixture.Tokens.Select(t => new ApiToken($"{t.Key.ToString().ToLowerInvariant()}-bot", t.Key, TokenRegistry.Hash(t.Value)))],
            Catalog = catalog,
            ResyncInterval = TimeSpan.FromMilliseconds(300),
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>A forge whose every call fails with <paramref name="failure"/>.</summary>
    private sealed class FailingForge(string name, Func<Exception> failure) : IForge
    {
        public string Name => name;

        public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken) => throw failure();

        public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken) => throw failure();

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => throw failure();
    }

    /// <summary>A provider with nothing running whose calls fail with <paramref name="failure"/>, or work when it is null.</summary>
    private sealed class Provider(string name, Func<Exception>? failure) : IProvider
    {
        public string Name => name;

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken) =>
            failure is null ? Task.FromResult(request.IdempotencyKey) : throw failure();

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken) =>
            failure is null ? Task.CompletedTask : throw failure();

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
            failure is null ? Task.FromResult<IReadOnlyList<ProviderInstance>>([]) : throw failure();
    }
}
