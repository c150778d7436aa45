using System.Diagnostics;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing;
using Drover.Testing.Kubernetes;
using Xunit.Abstractions;

namespace Drover.Providers.Kubernetes.Tests;

public sealed class KubernetesProviderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Create_PodAndItsSecretOwnedByIt_CredentialOnlyInTheSecret_RetriedCreateIsANoOp()
    {
        await using var h = await ProviderHarness.StartAsync();
        h.Cluster.Kubelet = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 0, TaskScheduler.Default);

        var id = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        var again = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        Assert.Equal("drover-linux-0", id);
        Assert.Equal(id, again);
        var pod = Assert.Single(h.Cluster.Pods());
        var secret = Assert.Single(h.Cluster.Secrets());
        Assert.Equal(pod.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        Assert.Equal("jit-for-drover-linux-0", Encoding.UTF8.GetString(secret.Data[PodTemplate.CredentialKey]));
        Assert.DoesNotContain("jit-for-", k8s.KubernetesJson.Serialize(pod), StringComparison.Ordinal);
        Assert.Contains(h.Cluster.Requests, r => r == "POST /api/v1/namespaces/ci/pods 409");
        Assert.DoesNotContain(h.Logs.Messages, m => m.Contains("jit-for-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_RemovesPodAndSecret_DeletingAgainSucceeds()
    {
        await using var h = await ProviderHarness.StartAsync();
        var id = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        try
        {
            await h.Provider.DeleteAsync(id, CancellationToken.None);
        }
        catch (Exception)
        {
            Assert.Fail(string.Join("\n", h.Cluster.Requests));
        }

        await h.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.Empty(h.Cluster.Pods());
        Assert.Empty(h.Cluster.Secrets());
    }

    [Fact]
    public async Task List_ComesFromTheWatch_WithKeyPool_AndRunnerThatExitedIsCleanedUp()
    {
        await using var h = await ProviderHarness.StartAsync();
        var release = new TaskCompletionSource<int>();
        h.Cluster.Kubelet = (_, _, _) => release.Task;
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        var listed = await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(), "the pod listed");
        var health = h.Provider.Health();
        Assert.Equal((ComponentStatus.Ok, "yes", "synced", "1"), (health.Status, health.Details["reachable"], health.Details["watch"], health.Details["pods"]));
        Assert.Equal(("drover-linux-0", "linux", null), (listed.IdempotencyKey, listed.Pool, listed.Failure));
        var listsBefore = h.Cluster.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/ci/pods ", StringComparison.Ordinal));
        for (var i = 0; i < 5; i++)
        {
            await h.Provider.ListAsync(CancellationToken.None);
        }

        release.SetResult(0);
        await h.Until(async () => h.Cluster.Pods().Count == 0 && h.Cluster.Secrets().Count == 0 && (await h.Provider.ListAsync(CancellationToken.None)).Count == 0 ? "gone" : null, "the finished pod and its secret deleted");
        Assert.True(h.Cluster.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/ci/pods ", StringComparison.Ordinal)) <= listsBefore + 1, "lists are served from the watch");
    }

    [Fact]
    public async Task WatchHistoryCompacted_410Gone_ProviderListsAgainAndMissesNothing()
    {
        await using var h = await ProviderHarness.StartAsync();
        h.Cluster.Kubelet = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 0, TaskScheduler.Default);
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(), "first pod listed");
        await h.Until(() => Task.FromResult(h.Cluster.OpenWatches > 0 ? "watching" : null), "the provider's watch open");

        var lists = PodLists(h);
        h.Cluster.Compact();
        // The resumed watch meets 410 Gone and lists again — or, when the closed stream's connection is reused and
        // fails first, lists again on that error. Either way nothing after the compaction may be missed.
        await h.Until(() => Task.FromResult(PodLists(h) > lists ? "listed" : null), "the watch restarted from a fresh list");
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.Until(() => Task.FromResult(h.Cluster.Pods().SingleOrDefault(p => p.Metadata.Name == "drover-linux-1" && p.Status.Phase == "Running")), "the second pod running");

        // Seen only through the new watch: the eviction of a pod created after the relist.
        h.Cluster.Evict("ci", "drover-linux-1");

        var evicted = await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(i => i.Failure is not null), "the eviction seen");
        Assert.Equal("drover-linux-1", evicted.InstanceId);
        Assert.Equal(2, (await h.Provider.ListAsync(CancellationToken.None)).Count);
    }

    private static int PodLists(ProviderHarness h) =>
        h.Cluster.Requests.Count(r => r.StartsWith("GET /api/v1/namespaces/ci/pods ", StringComparison.Ordinal));

    [Fact]
    public async Task QuotaExceeded_CreateFailsWithTheApiServersWords_CredentialKeptForTheRetry()
    {
        await using var h = await ProviderHarness.StartAsync();
        h.Cluster.PodQuota = 0;

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None));

        Assert.True(refused.QuotaExceeded);
        Assert.Contains("403 Forbidden: pods \"drover-linux-0\" is forbidden: exceeded quota", refused.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Vault.Count);
        h.Cluster.PodQuota = null;
        Assert.Equal("drover-linux-0", await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None));
    }

    [Fact]
    public async Task ServerErrors_AreReportedWithStatus_AndTheWatchRecovers()
    {
        await using var h = await ProviderHarness.StartAsync();
        h.Cluster.Kubelet = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 0, TaskScheduler.Default);
        h.Cluster.FailNext(1, "POST");

        var error = await Assert.ThrowsAsync<KubernetesApiException>(() => h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None));
        Assert.Contains("500", error.Message, StringComparison.Ordinal);

        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(), "listed");

        // A failing list: the watch loop lists again after a pause and catches up.
        await h.Until(() => Task.FromResult(h.Cluster.OpenWatches > 0 ? "watching" : null), "the provider's watch open");
        h.Cluster.Compact();
        h.Cluster.FailNext(1, "GET");
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.Until(() => Task.FromResult(h.Logs.Messages.FirstOrDefault(m => m.Contains("500 InternalServerError: injected failure", StringComparison.Ordinal))), "the failure logged");

        // While a failed list is not repeated, the provider says so instead of serving what it last saw.
        await h.Until(
            async () =>
            {
                try
                {
                    return (await h.Provider.ListAsync(CancellationToken.None)).Count == 2 ? "both" : null;
                }
                catch (PodCacheNotSyncedException e)
                {
                    Assert.Contains("the last list failed", e.Message, StringComparison.Ordinal);
                    return null;
                }
            },
            "both listed after recovery");
    }

    [Fact]
    public async Task UnreachableApiServer_ReportsDownWithTheErrorWithinSeconds_ListFailsAtOnce()
    {
        using var directory = new TempDirectory("drover-k8s-");
        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var kubeconfig = Path.Combine(directory.Path, "kubeconfig");
        File.WriteAllText(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters: [{ name: gone, cluster: { server: "http://127.0.0.1:{{port}}" } }]
            users: [{ name: drover, user: { token: not-a-secret-that-may-show } }]
            contexts: [{ name: gone, context: { cluster: gone, user: drover } }]
            current-context: gone
            """);
        var config = new ProviderConfig { Name = "k8s-gone", Type = "kubernetes", Settings = new Dictionary<string, string> { ["kubeconfig"] = kubeconfig, ["namespace"] = "ci" } };
        var fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
            Providers = [config],
            Pools = [new PoolConfig { Name = "linux", Forge = "github", Scope = new PoolScope(ScopeKind.Organization, "acme"), Provider = "k8s-gone" }],
        };
        var logs = new ListLogger();
        var clock = Stopwatch.StartNew();
        await using var provider = (KubernetesProvider)KubernetesProviderFactory.Create(config, new AdapterContext(fleet, new(), TimeProvider.System, logs));

        var refused = await Assert.ThrowsAsync<PodCacheNotSyncedException>(() => provider.ListAsync(CancellationToken.None));
        var failedAfter = clock.Elapsed;
        var health = provider.Health();

        output.WriteLine($"provider built, first list refused and the engine's list call failed after {failedAfter.TotalMilliseconds:0} ms; health {health.Status}: {health.LastError}");
        Assert.True(failedAfter < TimeSpan.FromSeconds(10), $"the list failed after {failedAfter.TotalSeconds:0.0} s (the engine's attempt timeout is 30 s)");
        Assert.Contains("the API server has not answered since start", refused.Message, StringComparison.Ordinal);
        Assert.Contains("refused", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal((ComponentStatus.Down, "no"), (health.Status, health.Details["reachable"]));
        Assert.Contains("refused", health.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("backing-off until ", health.Details["watch"], StringComparison.Ordinal);
        Assert.Single(logs.Messages, m => m.StartsWith("Warning:", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Messages, m => m.Contains("not-a-secret-that-may-show", StringComparison.Ordinal));
    }

    [Fact]
    public void Settings_Check_NamesEachWrongKey()
    {
        var problems = KubernetesProviderSettings.Check(new Dictionary<string, string>
        {
            ["namespace"] = "CI Runners",
            ["unschedulableTimeout"] = "soon",
            ["spotFallbackAfter"] = "0",
            ["spotTaint"] = "spot",
            ["kubeconfg"] = "/x",
        });

        Assert.Equal(["kubeconfg", "namespace", "spotTaint", "spotFallbackAfter", "unschedulableTimeout"], problems.Select(p => p.Key));
        Assert.Contains("did you mean 'kubeconfig'", problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TemplateSettings_Wrong_AreRefusedWithPoolAndKey()
    {
        var provider = new ProviderConfig { Name = "k8s", Type = "kubernetes", Settings = new Dictionary<string, string> { ["kubeconfig"] = "/nonexistent" } };
        var fleet = new FleetConfig
        {
            Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
            Providers = [provider],
            Pools = [new PoolConfig
            {
                Name = "linux", Forge = "github", Scope = new PoolScope(ScopeKind.Organization, "acme"), Provider = "k8s",
                Template = new InstanceTemplate { Settings = new Dictionary<string, string> { ["containerMode"] = "kubernetes", ["cacheSize"] = "lots" } },
            }],
        };

        var error = Assert.Throws<ArgumentException>(() => KubernetesProviderFactory.Create(provider, new Drover.Core.Adapters.AdapterContext(fleet, new(), TimeProvider.System, new Drover.Testing.ListLogger())));

        Assert.Contains("pools[linux].template.settings.cacheSize: 'lots' is not a Kubernetes quantity", error.Message, StringComparison.Ordinal);
        Assert.Contains("pools[linux].template.settings.serviceAccountName: containerMode 'kubernetes' needs a service account", error.Message, StringComparison.Ordinal);
    }
}
