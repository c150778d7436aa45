using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Leadership;
using Drover.Forges.GitHub;
using Drover.Providers.Process;
using Drover.Server.Hosting;
using Drover.Testing.GitHub;
using Microsoft.AspNetCore.Builder;

namespace Drover.EndToEnd.Tests.Support;

/// <summary>Starts <c>drover serve</c> in-process for end-to-end tests: SQLite in <paramref name="directory"/>, loopback, short lease and resync.</summary>
internal static class TestServe
{
    public static async Task<WebApplication> StartAsync(string yaml, AdapterCatalog catalog, string directory, string replicaId, IReadOnlyList<Drover.Server.Auth.ApiToken>? tokens = null, Func<ServerOptions, ServerOptions>? adjust = null)
    {
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var options = new ServerOptions
        {
            LoadConfig = () => loader.LoadFromString(yaml, replicaId + ".yaml"),
            StoreLocation = "sqlite:" + Path.Combine(directory, "state.db"),
            Urls = "http://127.0.0.1:0",
            Catalog = catalog,
            ReplicaId = replicaId,
            Leadership = new LeaderElectionOptions { LeaseDuration = TimeSpan.FromSeconds(3), RetryInterval = TimeSpan.FromMilliseconds(200) },
            ResyncInterval = TimeSpan.FromSeconds(1),
            DeliveryPollInterval = TimeSpan.FromMilliseconds(200),
            Tokens = tokens ?? [],
        };
        var app = await DroverServer.BuildAsync(adjust is null ? options : adjust(options));
        await app.StartAsync();
        return app;
    }

    /// <summary>A GitHub forge for end-to-end runs: secrets from <paramref name="environment"/>, polling every second, 5 s requests.</summary>
    public static AdapterCatalog AddGitHub(this AdapterCatalog catalog, IReadOnlyDictionary<string, string> environment) =>
        catalog.Add(new GitHubModule(GitHubForgeOptions.Default with
        {
            Environment = environment.GetValueOrDefault,
            PollInterval = TimeSpan.FromSeconds(1),
            RequestTimeout = TimeSpan.FromSeconds(5),
        }));

    /// <summary>The real <c>process</c> provider, handing each one built to <paramref name="created"/>.</summary>
    public static AdapterCatalog AddProcess(this AdapterCatalog catalog, Action<IProvider> created) =>
        catalog.Add(new ProcessModule(
            (config, context) =>
            {
                var provider = ProcessProviderFactory.Create(config, context);
                created(provider);
                return provider;
            }));

    /// <summary>Runners in the store that are not gone yet.</summary>
    public static async Task<int> LiveRunnersAsync(IStateStore store) =>
        (await store.ListRunnersAsync(null, null, CancellationToken.None)).Count(r => r.State != RunnerState.Gone);

    /// <summary>How many of the emulator's jobs are in each status (<c>12 completed, 3 queued</c>), for failure messages.</summary>
    public static string Statuses(IReadOnlyList<EmulatedJob> jobs) =>
        string.Join(", ", jobs.GroupBy(j => j.Status, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
