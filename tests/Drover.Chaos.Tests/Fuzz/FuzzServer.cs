using System.Net.Http.Headers;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Forges.GitHub;
using Drover.Forges.GitLab;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.GitLab;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Chaos.Tests.Fuzz;

/// <summary>
/// <c>drover serve</c> in-process for fuzzing its HTTP surface: a GitHub forge and a GitLab forge (against their
/// emulators, not polling: only webhooks feed the ledger), one pool each on a provider that only records instances, an
/// admin API token, SQLite in a temporary directory.
/// </summary>
internal sealed class FuzzServer : IAsyncDisposable
{
    public const string GitHubSecret = "fuzz-github-secret";
    public const string GitLabHookToken = "fuzz-gitlab-hook";
    private const string GitHubToken = "ghp_fuzz";
    private const string GitLabToken = "glpat-fuzz";
    private readonly TempDirectory _directory;
    private readonly WebApplication _app;

    private FuzzServer(TempDirectory directory, GitHubEmulator github, GitLabEmulator gitlab, WebApplication app, string apiToken)
    {
        _directory = directory;
        GitHub = github;
        GitLab = gitlab;
        _app = app;
        Client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiToken);
    }

    /// <summary>A client for the server, with the admin token.</summary>
    public HttpClient Client { get; }

    public GitHubEmulator GitHub { get; }

    public GitLabEmulator GitLab { get; }

    /// <summary>The server's state store.</summary>
    public IStateStore Store => _app.Services.GetRequiredService<IStateStore>();

    public static async Task<FuzzServer> StartAsync()
    {
        var directory = new TempDirectory("drover-fuzz-");
        var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubToken] });
        var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        var yaml = $$"""
            controllerId: fuzz
            forges:
              - name: github
                kind: github
                url: {{github.ApiUrl}}
                auth: { token: env:FUZZ_GITHUB_TOKEN }
                webhookSecret: env:FUZZ_GITHUB_SECRET
              - name: gitlab
                kind: gitlab
                url: {{gitlab.Url}}
                auth: { token: env:FUZZ_GITLAB_TOKEN }
                webhookSecret: env:FUZZ_GITLAB_HOOK
            providers:
              - name: recorder
                type: recorder
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: recorder
                max: 1
              - name: docker
                forge: gitlab
                scope: { group: acme }
                tags: [docker]
                provider: recorder
                max: 1
            """;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["FUZZ_GITHUB_TOKEN"] = GitHubToken, ["FUZZ_GITHUB_SECRET"] = GitHubSecret, ["FUZZ_GITLAB_TOKEN"] = GitLabToken, ["FUZZ_GITLAB_HOOK"] = GitLabHookToken,
        };
        var catalog = new AdapterCatalog()
            .Add(new GitHubModule(GitHubForgeOptions.Default with { Environment = environment.GetValueOrDefault, Polling = false, RequestTimeout = TimeSpan.FromSeconds(5) }))
            .Add(new GitLabModule(GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, Polling = false, RequestTimeout = TimeSpan.FromSeconds(5) }))
            .Add(new TestProviderModule("recorder", (config, _) => new RecordingProvider(config.Name)));
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var apiToken = "fuzz_" + Guid.NewGuid().ToString("N");
        var options = new ServerOptions
        {
            LoadConfig = () => loader.LoadFromString(yaml, "fuzz.yaml"),
            StoreLocation = "sqlite:" + directory.File("state.db"),
            Urls = "http://127.0.0.1:0",
            Catalog = catalog,
            ReplicaId = "fuzz",
            Leadership = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(3), RetryInterval = TimeSpan.FromMilliseconds(200) },
            ResyncInterval = TimeSpan.FromSeconds(1),
            DeliveryPollInterval = TimeSpan.FromMilliseconds(200),
            Tokens = [new ApiToken("fuzz", ApiRole.Admin, TokenRegistry.Hash(apiToken))],
        };
        var app = await DroverServer.BuildAsync(options);
        await app.StartAsync();
        return new FuzzServer(directory, github, gitlab, app, apiToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await GitHub.DisposeAsync();
        await GitLab.DisposeAsync();
        _directory.Dispose();
    }

    /// <summary>A provider that starts nothing: it records the instances asked for, so the planner's creates succeed.</summary>
    private sealed class RecordingProvider(string name) : IProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ProviderInstance> _instances = new(StringComparer.Ordinal);

        public string Name => name;

        public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
        {
            _instances[request.IdempotencyKey] = new ProviderInstance { Provider = name, InstanceId = request.IdempotencyKey, IdempotencyKey = request.IdempotencyKey, Pool = request.Pool, CreatedAt = DateTimeOffset.UnixEpoch };
            return Task.FromResult(request.IdempotencyKey);
        }

        public Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
        {
            _instances.TryRemove(instanceId, out _);
            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<ProviderInstance>>([.. _instances.Values]);
    }
}
