using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Engine.Execution;
using Drover.Engine.Leadership;
using Drover.Providers.Process;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>Starts <c>drover serve</c> in-process for end-to-end tests: SQLite in <paramref name="directory"/>, loopback, short lease and resync.</summary>
internal static class TestServe
{
    public static async Task<WebApplication> StartAsync(string yaml, AdapterCatalog catalog, string directory, string replicaId, IReadOnlyList<Drover.Server.Auth.ApiToken>? tokens = null)
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
        var app = await DroverServer.BuildAsync(options);
        await app.StartAsync();
        return app;
    }

    /// <summary>A GitHub forge for end-to-end runs: secrets from <paramref name="environment"/>, polling every second, 5 s requests.</summary>
    public static AdapterCatalog AddGitHub(this AdapterCatalog catalog, IReadOnlyDictionary<string, string> environment) =>
        catalog.Add(new GitHubModule(GitHubForgeOptions.Default with
        {
            Environment = environment.GetValueOrDefault, PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(5),
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

    /// <summary>Waits for <paramref name="condition"/>, polling every 100 ms; fails naming <paramref name="what"/> after <paramref name="seconds"/>.</summary>
    public static async Task Until(Func<Task<bool>> condition, string what, int seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s: {what}");
            await Task.Delay(100);
        }
    }

    /// <inheritdoc cref="Until(Func{Task{bool}}, string, int)"/>
    public static Task Until(Func<bool> condition, string what, int seconds) => Until(() => Task.FromResult(condition()), what, seconds);
}
