using System.Text;
using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Providers.Kubernetes.Tests.Fakes;
using Drover.Testing;
using k8s;
using k8s.Models;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>Creates, deletes, failure reasons, spot fallback, cache claims and the finished-pod reaper, on the in-memory pod API.</summary>
public sealed class KubernetesProviderLogicTests
{
    [Fact]
    public async Task Create_PodThenItsSecretOwnedByIt_CredentialOnlyInTheSecret_RetryFindsThePod()
    {
        await using var h = FakeProviderHarness.Create();

        var id = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        var again = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);

        Assert.Equal(("drover-linux-0", "drover-linux-0"), (id, again));
        var pod = Assert.Single(h.Api.Pods());
        var secret = Assert.Single(h.Api.Secrets());
        Assert.Equal(pod.Metadata.Uid, Assert.Single(secret.Metadata.OwnerReferences).Uid);
        Assert.Equal("jit-for-drover-linux-0", secret.StringData[PodTemplate.CredentialKey]);
        Assert.DoesNotContain("jit-for-", KubernetesJson.Serialize(pod), StringComparison.Ordinal);
        Assert.Equal(["create pod drover-linux-0", "create secret drover-linux-0", "create pod drover-linux-0", "create secret drover-linux-0"], h.Api.Calls);
        Assert.Equal(0, h.Vault.Count);
        Assert.DoesNotContain(h.Logs.Messages, m => m.Contains("jit-for-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Find_ReadsThePodFromTheApiServer_EvenWhileTheCacheCannotList()
    {
        await using var h = FakeProviderHarness.Create();
        h.Api.ListGate = new TaskCompletionSource().Task;
        h.Provider.Start();
        await h.UntilAsync(() => h.Api.ListAttempts.Count == 1, "the first list sent");
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        var list = h.Provider.ListAsync(CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<PodCacheNotSyncedException>(() => list);
        Assert.Equal("drover-linux-0", await h.Provider.FindAsync("drover-linux-0", CancellationToken.None));
        Assert.Null(await h.Provider.FindAsync("drover-linux-1", CancellationToken.None));
    }

    [Fact]
    public async Task Create_Refused_CredentialKeptForTheRetry()
    {
        await using var h = FakeProviderHarness.Create();
        h.Api.PodQuota = 0;

        var refused = await Assert.ThrowsAsync<KubernetesApiException>(() => h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None));

        Assert.True(refused.QuotaExceeded);
        Assert.Equal(1, h.Vault.Count);
        h.Api.PodQuota = null;
        Assert.Equal("drover-linux-0", await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None));
    }

    [Fact]
    public async Task Delete_RemovesPodAndSecret_FromTheClusterAndTheCache_AgainSucceeds()
    {
        await using var h = FakeProviderHarness.Create();
        var id = await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.UntilAsync(s => s.Synced, "synced");

        await h.Provider.DeleteAsync(id, CancellationToken.None);
        await h.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.Empty(h.Api.Pods());
        Assert.Empty(h.Api.Secrets());
        await Eventually.TrueAsync(async () => (await h.Provider.ListAsync(CancellationToken.None)).Count == 0, "gone from the cache", TimeSpan.FromSeconds(10));
    }

    public static TheoryData<string, string, InstanceFailureKind> WillNeverRun => new()
    {
        { "image", "ErrImagePull: failed to pull image \"runner\": not found", InstanceFailureKind.Unusable },
        { "unschedulable", "Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.", InstanceFailureKind.Unusable },
        { "evicted", "Evicted: The node was low on resource: memory.", InstanceFailureKind.Lost },
        { "oom", "OOMKilled: exit code 137", InstanceFailureKind.Lost },
        { "preempted", "DisruptionTarget: PreemptionByScheduler: Kubernetes Scheduler: preemption by a higher-priority pod", InstanceFailureKind.Lost },
        { "crashed", "Error: runner exited with code 1", InstanceFailureKind.Unusable },
    };

    [Theory]
    [MemberData(nameof(WillNeverRun))]
    public async Task PodThatWillNeverRun_IsListedWithTheReasonAndWhoseDoingItIs(string what, string reason, InstanceFailureKind kind)
    {
        await using var h = FakeProviderHarness.Create(s => s with { UnschedulableTimeout = TimeSpan.Zero });
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.UntilAsync(() => h.Api.OpenWatches == 1, "watching");

        h.Api.Update("drover-linux-0", p => Break(p, what, h.Time.GetUtcNow()));

        await Eventually.TrueAsync(async () => (await h.Provider.ListAsync(CancellationToken.None)).Single().Failure is not null, "the failure seen", TimeSpan.FromSeconds(10));
        var listed = (await h.Provider.ListAsync(CancellationToken.None)).Single();
        Assert.Equal((reason, kind), (listed.Failure, listed.FailureKind));
    }

    [Fact]
    public async Task PodWhoseCredentialSecretIsMissing_IsAFailureAfterItsGrace()
    {
        // The pod was created and the server stopped (or its secret create failed) before its secret was stored: the kubelet
        // cannot start the runner (CreateContainerConfigError) and nothing will store the secret now. Booting for ever,
        // it would hold a place in the pool while jobs wait.
        await using var h = FakeProviderHarness.Create();
        h.Seed("drover-linux-0", phase: "Pending");
        h.Api.Update("drover-linux-0", p => p.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = "runner", ImageID = string.Empty, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CreateContainerConfigError", Message = "secret \"drover-linux-0\" not found" } } }]);
        h.Provider.Start();
        await h.UntilAsync(s => s.Synced, "listed");
        Assert.Null((await h.Provider.ListAsync(CancellationToken.None)).Single().Failure);

        h.Time.Advance(PodStatus.MissingConfigGrace);

        var listed = (await h.Provider.ListAsync(CancellationToken.None)).Single();
        Assert.Equal(("CreateContainerConfigError: secret \"drover-linux-0\" not found", InstanceFailureKind.Unusable), (listed.Failure, listed.FailureKind));
    }

    [Fact]
    public async Task Unschedulable_IsAFailureOnlyAfterItsTimeout()
    {
        await using var h = FakeProviderHarness.Create(s => s with { UnschedulableTimeout = TimeSpan.FromMinutes(10) });
        h.Seed("drover-linux-0", phase: "Pending");
        h.Api.Update("drover-linux-0", p => Break(p, "unschedulable", h.Time.GetUtcNow()));
        h.Provider.Start();
        await h.UntilAsync(s => s.Synced, "listed");
        Assert.Null((await h.Provider.ListAsync(CancellationToken.None)).Single().Failure);

        h.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Null((await h.Provider.ListAsync(CancellationToken.None)).Single().Failure);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.StartsWith("Unschedulable: 0/3 nodes", (await h.Provider.ListAsync(CancellationToken.None)).Single().Failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CacheClaim_CreatedOnceForThePool_AndMountedInEveryPod()
    {
        await using var h = FakeProviderHarness.Create(template: new InstanceTemplate { Settings = new Dictionary<string, string> { ["cachePath"] = "/cache", ["cacheSize"] = "50Gi" } });

        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);

        var claim = Assert.Single(h.Api.Claims());
        Assert.Equal("drover-cache-linux", claim.Metadata.Name);
        Assert.Equal("50Gi", claim.Spec.Resources.Requests["storage"].ToString());
        Assert.Single(h.Api.Calls, c => c.StartsWith("create claim", StringComparison.Ordinal));
        Assert.All(h.Api.Pods(), p => Assert.Contains(p.Spec.Volumes, v => v.PersistentVolumeClaim?.ClaimName == "drover-cache-linux"));
    }

    [Fact]
    public async Task SpotPool_AfterEnoughUnschedulableSpotPods_FallsBackToOnDemandNodes_UntilRetryAfter()
    {
        await using var h = FakeProviderHarness.Create(
            s => s with { UnschedulableTimeout = TimeSpan.Zero, SpotFallbackAfter = 2, SpotRetryAfter = TimeSpan.FromMinutes(15) },
            new InstanceTemplate { Spot = SpotPreference.Prefer });
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.UntilAsync(() => h.Api.OpenWatches == 1, "watching");
        h.Api.Update("drover-linux-0", p => Break(p, "unschedulable", h.Time.GetUtcNow()));
        h.Api.Update("drover-linux-1", p => Break(p, "unschedulable", h.Time.GetUtcNow()));
        await Eventually.TrueAsync(async () => (await h.Provider.ListAsync(CancellationToken.None)).Count(i => i.Failure is not null) == 2, "two unschedulable spot pods", TimeSpan.FromSeconds(10));

        await h.Provider.CreateAsync(h.Request("drover-linux-2"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromMinutes(15));
        await h.Provider.CreateAsync(h.Request("drover-linux-3"), CancellationToken.None);

        Assert.Equal("NotIn", RequiredSpotOperator(h.Api.Pods().Single(p => p.Metadata.Name == "drover-linux-2")));
        Assert.Null(RequiredSpotOperator(h.Api.Pods().Single(p => p.Metadata.Name == "drover-linux-3")));
        Assert.Single(h.Logs.Messages, m => m.Contains("pool linux falls back to on-demand nodes for 15 min after 2 spot pods", StringComparison.Ordinal));
    }

    [Fact]
    public async Task FinishedPods_DeletedWithTheirSecrets_OnlyOnceTheEngineUsesTheProvider()
    {
        await using var h = FakeProviderHarness.Create();
        h.Seed("drover-linux-0", phase: "Succeeded");
        h.Provider.Start();
        await h.UntilAsync(s => s.State == WatchState.Synced && s.Pods == 1 && h.Api.OpenWatches == 1, "synced");
        Assert.DoesNotContain(h.Api.Calls, c => c.StartsWith("delete", StringComparison.Ordinal));

        await h.Provider.CreateAsync(h.Request("drover-linux-1"), CancellationToken.None);
        await h.UntilAsync(() => h.Api.Pods().Select(p => p.Metadata.Name).SequenceEqual(["drover-linux-1"]), "the pod finished before start deleted");
        h.Api.Update("drover-linux-1", p => p.Status.Phase = "Succeeded");
        await h.UntilAsync(() => h.Api.Pods().Count == 0 && h.Api.Secrets().Count == 0, "the finished pod and its secret deleted");

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
        Assert.Equal(1, h.Api.Calls.Count(c => c == "delete secret drover-linux-1"));
        Assert.Equal(2, h.Logs.Messages.Count(m => m.Contains("finished; deleting it and its secret", StringComparison.Ordinal)));
        await h.UntilAsync(s => s.Pods == 0, "the deletions seen by the watch");
    }

    [Fact]
    public async Task FinishedPod_DeleteFails_LoggedAndTriedAgainWhenSeenAgain()
    {
        await using var h = FakeProviderHarness.Create();
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.UntilAsync(() => h.Api.OpenWatches == 1, "watching");
        h.Api.Refusal = () => FakePodApi.Refused(System.Net.HttpStatusCode.InternalServerError, "etcdserver: request timed out", "delete pod drover-linux-0");

        h.Api.Update("drover-linux-0", p => p.Status.Phase = "Succeeded");
        await h.UntilAsync(() => h.Logs.Messages.Any(m => m.Contains("cleaning up finished pod drover-linux-0 failed: kubernetes k8s-east: delete pod drover-linux-0: 500", StringComparison.Ordinal)), "the failed delete logged");
        h.Api.Refusal = null;
        h.Api.Update("drover-linux-0", p => p.Status.Message = "seen again");

        await h.UntilAsync(() => h.Api.Pods().Count == 0 && h.Api.Secrets().Count == 0, "deleted on the second sighting");
    }

    [Fact]
    public async Task FinishedPod_DeleteFails_TriedAgainAfterAWhile_WithoutBeingSeenAgain()
    {
        // A finished pod changes no more: waiting for it to be seen again would leave it and its secret (holding the
        // runner's credential) until the next resync, minutes later.
        await using var h = FakeProviderHarness.Create();
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        await h.UntilAsync(() => h.Api.OpenWatches == 1, "watching");
        h.Api.Refusal = () => FakePodApi.Refused(System.Net.HttpStatusCode.InternalServerError, "etcdserver: request timed out", "delete pod drover-linux-0");

        h.Api.Update("drover-linux-0", p => p.Status.Phase = "Succeeded");
        await h.UntilAsync(() => h.Logs.Messages.Any(m => m.Contains("cleaning up finished pod drover-linux-0 failed", StringComparison.Ordinal)), "the failed delete logged");
        h.Api.Refusal = null;
        h.Time.Advance(FinishedPodReaper.RetryAfter);

        await h.UntilAsync(() => h.Api.Pods().Count == 0 && h.Api.Secrets().Count == 0, "deleted again after the retry delay");
    }

    private static string? RequiredSpotOperator(V1Pod pod) =>
        pod.Spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms.Single().MatchExpressions.Single().OperatorProperty;

    private static void Break(V1Pod pod, string what, DateTimeOffset now)
    {
        switch (what)
        {
            case "image":
                pod.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True" }];
                pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = "runner", ImageID = string.Empty, State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "ErrImagePull", Message = "failed to pull image \"runner\": not found" } } }];
                break;
            case "unschedulable":
                pod.Status.Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "False", Reason = "Unschedulable", Message = "0/3 nodes are available: 3 Insufficient cpu.", LastTransitionTime = now.UtcDateTime }];
                break;
            case "oom":
                pod.Status.Phase = "Failed";
                pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = "runner", ImageID = string.Empty, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 137, Reason = "OOMKilled" } } }];
                break;
            case "preempted":
                pod.Status.Phase = "Running";
                pod.Status.Conditions = [new V1PodCondition { Type = "DisruptionTarget", Status = "True", Reason = "PreemptionByScheduler", Message = "Kubernetes Scheduler: preemption by a higher-priority pod" }];
                break;
            case "evicted":
                pod.Status.Phase = "Failed";
                pod.Status.Reason = "Evicted";
                pod.Status.Message = "The node was low on resource: memory.";
                break;
            default:
                pod.Status.Phase = "Failed";
                pod.Status.ContainerStatuses = [new V1ContainerStatus { Name = "runner", Image = "runner", ImageID = string.Empty, State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1, Reason = "Error", Message = "runner exited with code 1" } } }];
                break;
        }
    }
}
