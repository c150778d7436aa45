using System.Net;
using System.Net.Http.Headers;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Server.Tests.Postgres;
using Drover.Server.Tests.Support;
using Drover.Simulation.Demo;
using Drover.Testing;
using Drover.Testing.Postgres;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.Server.Tests;

/// <summary>
/// Two replicas of <c>drover serve</c> on one PostgreSQL database and one shared world. The leader is cut off from
/// the database (as a crashed or partitioned process) and stopped; the follower takes over within the lease, and no
/// runner is created twice or left unknown to the store. Bounded: about 20 s of simulated load.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FailoverTests(PostgresServer postgres, ITestOutputHelper output)
{
    private const string ViewerToken = "failover-viewer";
    private static readonly LeaderElectionOptions _lease = new() { LeaseDuration = TimeSpan.FromSeconds(3), RetryInterval = TimeSpan.FromMilliseconds(500) };
    private static readonly DemoOptions _load = new() { SpeedUp = 120, BootMin = TimeSpan.FromMilliseconds(200), BootMax = TimeSpan.FromMilliseconds(500), JobsPerHour = 180, Tick = TimeSpan.FromMilliseconds(100) };

    [PostgresFact]
    public async Task LeaderLost_FollowerTakesOverWithinTheLease_NothingCreatedTwice()
    {
        var connection = await postgres.CreateDatabaseAsync();
        var world = new SharedWorld(_load);
        var storeA = (SeveringStore?)null;
        await using var a = await StartAsync("a", "postgres:" + connection, world, s => storeA = new SeveringStore(s));
        await Eventually.ThatAsync(() => Role(a), r => r == LeaderRole.Leader, "a leads");
        await using var b = await StartAsync("b", "postgres:" + connection, world, s => s);
        await Eventually.ThatAsync(() => Role(b), r => r == LeaderRole.Follower, "b follows");
        using var clientA = Client(a);
        using var clientB = Client(b);
        Assert.StartsWith("ready: leader (a)", await clientA.GetStringAsync("/readyz"), StringComparison.Ordinal);
        Assert.StartsWith("ready: follower of a (b)", await clientB.GetStringAsync("/readyz"), StringComparison.Ordinal);

        // A forged delivery is refused by either replica and never stored.
        using (var forged = await PostAsync(clientB, "/webhooks/github/github", "forged-1", "{}"u8.ToArray(), secret: "wrong"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        // Phase 1: webhooks land on both replicas; only the leader acts on them.
        var sent = await DriveAsync(world, [clientA, clientB], TimeSpan.FromSeconds(6));
        var store = b.Services.GetRequiredService<IStateStore>();
        Assert.NotEmpty(await store.ListRunnersAsync(null, null, CancellationToken.None));

        storeA!.Sever();
        var severedAt = DateTime.UtcNow;
        await Eventually.ThatAsync(() => Role(b), r => r == LeaderRole.Leader, "b takes over");
        var takeover = DateTime.UtcNow - severedAt;
        var takenOverAt = DateTimeOffset.UtcNow;
        await a.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);

        // Phase 2: everything goes to the new leader.
        sent += await DriveAsync(world, [clientB], TimeSpan.FromSeconds(6));
        await Eventually.ThatAsync(() => store.ListDeliveriesAsync(DeliveryState.Waiting, 1, CancellationToken.None), d => d.Count == 0, "every delivery processed", d => $"still unprocessed: {d[0].Forge} {d[0].DeliveryId}");

        Assert.True(takeover <= _lease.LeaseDuration + (_lease.RetryInterval * 3), $"takeover took {takeover.TotalSeconds:F1} s");
        Assert.Null(await store.GetDeliveryAsync("github", "forged-1", CancellationToken.None));
        var runners = await store.ListRunnersAsync(null, null, CancellationToken.None);
        var keys = runners.Select(r => r.IdempotencyKey).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(runners.Count, keys.Count);
        var instances = await world.InstancesAsync();
        Assert.All(instances, i => Assert.Contains(i.IdempotencyKey!, keys));
        Assert.All(instances.GroupBy(i => i.IdempotencyKey), g => Assert.Single(g));
        Assert.All(world.CreateCalls.Keys, k => Assert.Contains(k, keys));
        Assert.Contains(runners, r => r.CreatedAt > takenOverAt);
        Assert.True(sent > 20, $"only {sent} webhooks were sent");
        output.WriteLine($"webhooks {sent}, runners {runners.Count} ({runners.Count(r => r.CreatedAt > takenOverAt)} after takeover), live instances {instances.Count}, create calls {world.CreateCalls.Values.Sum()} for {world.CreateCalls.Count} keys, takeover {takeover.TotalSeconds:F2} s");
    }

    private static async Task<WebApplication> StartAsync(string replica, string location, SharedWorld world, Func<IStateStore, IStateStore> wrap)
    {
        var loader = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies));
        var options = new ServerOptions
        {
            LoadConfig = () => loader.LoadFromString(SharedWorld.FleetYaml(), "failover-fleet.yaml"),
            StoreLocation = location,
            OpenStore = async (l, ct) => wrap(await Drover.Storage.StateStoreFactory.OpenAsync(l, ct)),
            Urls = "http://127.0.0.1:0",
            Tokens = [new ApiToken("viewer", ApiRole.Viewer, TokenRegistry.Hash(ViewerToken))],
            Catalog = world.Catalog(),
            ReplicaId = replica,
            Leadership = _lease,
            ResyncInterval = TimeSpan.FromSeconds(1),
            DeliveryPollInterval = TimeSpan.FromMilliseconds(200),
        };
        var app = await DroverServer.BuildAsync(options);
        await app.StartAsync();
        return app;
    }

    private static async Task<int> DriveAsync(SharedWorld world, HttpClient[] replicas, TimeSpan duration)
    {
        var sent = 0;
        var end = DateTime.UtcNow + duration;
        while (DateTime.UtcNow < end)
        {
            foreach (var (path, id, body) in world.Tick())
            {
                using var response = await PostAsync(replicas[sent++ % replicas.Length], path, id, body, SharedWorld.Secret);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }

            await Task.Delay(100);
        }

        return sent;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string id, byte[] body, string secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add(SharedWorld.SecretHeader, secret);
        request.Headers.Add(path.Contains("/gitlab/", StringComparison.Ordinal) ? "X-Gitlab-Event-UUID" : "X-GitHub-Delivery", id);
        return client.SendAsync(request);
    }

    private static LeaderRole Role(WebApplication app) => app.Services.GetRequiredService<LeaderElection>().Role;

    private static HttpClient Client(WebApplication app)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        return client;
    }
}
