using Drover.Core.Policies;
using Drover.Engine.Execution;
using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Drover.Core.Config;
using Microsoft.AspNetCore.Builder;

namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>Starts <c>drover serve</c> in-process for end-to-end tests: SQLite in <paramref name="directory"/>, loopback, short lease and resync.</summary>
internal static class TestServe
{
    public static async Task<WebApplication> StartAsync(string yaml, AdapterCatalog catalog, string directory, string replicaId)
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
        };
        var app = await DroverServer.BuildAsync(options);
        await app.StartAsync();
        return app;
    }

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
