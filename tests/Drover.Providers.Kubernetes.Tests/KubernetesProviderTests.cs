using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Testing.Kubernetes;

namespace Drover.Providers.Kubernetes.Tests;

public sealed class KubernetesProviderTests
{
    [Fact]
    public async Task Create_PodAndItsSecretOwnedByIt_CredentialOnlyInTheSecret_RetriedCreateIsANoOp()
    {
        await using var h = await ProviderHarness.StartAsync();

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

    [Theory]
    [InlineData(PodOutcome.ImagePullError, "ErrImagePull: failed to pull image")]
    [InlineData(PodOutcome.Unschedulable, "Unschedulable: 0/3 nodes are available")]
    [InlineData(PodOutcome.Evicted, "Evicted: The node was low on resource: memory.")]
    public async Task PodThatWillNeverRun_IsListedWithTheReason(PodOutcome outcome, string reason)
    {
        await using var h = await ProviderHarness.StartAsync(new() { ["unschedulableTimeout"] = "0s" });
        h.Cluster.Outcome = _ => outcome;
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        var failed = await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(i => i.Failure is not null), "a failure reported");

        Assert.StartsWith(reason, failed.Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unschedulable_IsNotAFailureBeforeItsTimeout()
    {
        await using var h = await ProviderHarness.StartAsync(new() { ["unschedulableTimeout"] = "10m" });
        h.Cluster.Outcome = _ => PodOutcome.Unschedulable;
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        await h.Until(() => Task.FromResult(h.Cluster.Events().FirstOrDefault(e => e.Reason == "FailedScheduling")), "the scheduler gave up");
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(), "listed");

        Assert.Null(Assert.Single(await h.Provider.ListAsync(CancellationToken.None)).Failure);
    }

    [Fact]
    public async Task WatchHistoryCompacted_410Gone_ProviderListsAgainAndMissesNothing()
    {
        await using var h = await ProviderHarness.StartAsync();
        h.Cluster.Kubelet = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 0, TaskScheduler.Default);
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(), "first pod listed");
        await h.Until(() => Task.FromResult(h.Cluster.OpenWatches > 0 ? "watching" : null), "the provider's watch open");

        h.Cluster.Compact();
        // The resumed watch meets 410 Gone and lists again — or, when the closed stream's connection is reused and
        // fails first, lists again on that error. Either way nothing after the compaction may be missed.
        await h.Until(() => Task.FromResult(h.Logs.Messages.FirstOrDefault(m => m.Contains("pod watch ended", StringComparison.Ordinal))), "the watch restarted from a fresh list");
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.Until(() => Task.FromResult(h.Cluster.Pods().SingleOrDefault(p => p.Metadata.Name == "drover-linux-1" && p.Status.Phase == "Running")), "the second pod running");

        // Seen only through the new watch: the eviction of a pod created after the relist.
        h.Cluster.Evict("ci", "drover-linux-1");

        var evicted = await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).SingleOrDefault(i => i.Failure is not null), "the eviction seen");
        Assert.Equal("drover-linux-1", evicted.InstanceId);
        Assert.Equal(2, (await h.Provider.ListAsync(CancellationToken.None)).Count);
    }

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
        await h.Until(() => Task.FromResult(h.Logs.Messages.FirstOrDefault(m => m.Contains("500", StringComparison.Ordinal))), "the failed list logged");
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).Count == 2 ? "both" : null, "both listed after recovery");
    }

    [Fact]
    public async Task CacheClaim_CreatedOnceForThePool_AndMountedInEveryPod()
    {
        await using var h = await ProviderHarness.StartAsync(template: new InstanceTemplate { Settings = new Dictionary<string, string> { ["cachePath"] = "/cache", ["cacheSize"] = "50Gi" } });

        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);

        var claim = Assert.Single(h.Cluster.Claims());
        Assert.Equal("drover-cache-linux", claim.Metadata.Name);
        Assert.Equal("50Gi", claim.Spec.Resources.Requests["storage"].ToString());
        Assert.All(h.Cluster.Pods(), p => Assert.Contains(p.Spec.Volumes, v => v.PersistentVolumeClaim?.ClaimName == "drover-cache-linux"));
    }

    [Fact]
    public async Task SpotPool_AfterEnoughUnschedulableSpotPods_FallsBackToOnDemandNodes()
    {
        await using var h = await ProviderHarness.StartAsync(
            new() { ["unschedulableTimeout"] = "0s", ["spotFallbackAfter"] = "2" },
            new InstanceTemplate { Spot = SpotPreference.Prefer });
        h.Cluster.Outcome = _ => PodOutcome.Unschedulable;
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.Until(async () => (await h.Provider.ListAsync(CancellationToken.None)).Count(i => i.Failure is not null) == 2 ? "both" : null, "two unschedulable spot pods");

        await h.Provider.CreateAsync(h.Request("drover-linux-2"), CancellationToken.None);

        var third = h.Cluster.Pods().Single(p => p.Metadata.Name == "drover-linux-2");
        var required = third.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms.Single().MatchExpressions.Single();
        Assert.Equal(("karpenter.sh/capacity-type", "NotIn"), (required.Key, required.OperatorProperty));
        Assert.Contains(h.Logs.Messages, m => m.Contains("falls back to on-demand", StringComparison.Ordinal));
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
