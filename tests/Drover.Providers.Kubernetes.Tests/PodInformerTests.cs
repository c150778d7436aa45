using System.Net;
using Drover.Core.Adapters;
using Drover.Providers.Kubernetes.Tests.Fakes;
using Drover.Testing;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>The list and watch loop, its backoff, its logs and the provider's health, on the in-memory pod API and a fake clock.</summary>
public sealed class PodInformerTests
{
    [Fact]
    public async Task ApiRefusingConnections_DownWithTheError_BackoffDoublesToTheCap_OneWarning()
    {
        await using var h = FakeProviderHarness.Create();
        h.Api.Refusal = FakePodApi.ConnectionRefused;
        h.Provider.Start();

        for (var failures = 1; failures <= 9; failures++)
        {
            h.AdvanceTo(await h.BackingOffAsync(failures));
        }

        await h.BackingOffAsync(10);
        var attempts = h.Api.ListAttempts;
        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60, 60], attempts.Zip(attempts.Skip(1), (a, b) => (b - a).TotalSeconds));
        Assert.Empty(h.Api.WatchAttempts);
        var warning = Assert.Single(h.Warnings);
        Assert.Contains("pod list failed: HttpRequestException: Connection refused (10.0.0.1:6443)", warning, StringComparison.Ordinal);
        Assert.Contains("next in 1 s, doubling up to 60 s", warning, StringComparison.Ordinal);
        Assert.Equal(9, h.Logs.Messages.Count(m => m.StartsWith("Debug:", StringComparison.Ordinal) && m.Contains("failed again", StringComparison.Ordinal)));

        var health = h.Provider.Health();
        Assert.Equal(("provider", "k8s-east", ComponentStatus.Down), (health.Kind, health.Name, health.Status));
        Assert.Null(health.LastSuccess);
        Assert.Contains("Connection refused", health.LastError, StringComparison.Ordinal);
        Assert.Equal(h.Api.ListAttempts[^1], health.LastErrorAt);
        Assert.Equal("no", health.Details["reachable"]);
        Assert.Equal("backing-off until " + KubernetesHealth.Time(h.Status().BackingOffUntil!.Value), health.Details["watch"]);
        Assert.Equal(("never", "0", "10"), (health.Details["lastList"], health.Details["pods"], health.Details["failures"]));

        var refused = await Assert.ThrowsAsync<PodCacheNotSyncedException>(() => h.Provider.ListAsync(CancellationToken.None));
        Assert.Contains("kubernetes k8s-east: pods not listed: the pod cache is not synced: the API server has not answered since start (HttpRequestException: Connection refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains("next list at 2026-12-07T", refused.Message, StringComparison.Ordinal);
        Assert.Equal(CallFailureKind.Busy, CallFailures.Classify(refused).Kind);
    }

    [Fact]
    public async Task ApiBack_ListedAndWatching_DegradedUntilTheWatchProvesHealthy_ThenOk_RecoveryLoggedOnce_BackoffStartsOver()
    {
        await using var h = FakeProviderHarness.Create();
        h.Seed("drover-linux-0");
        h.Api.Refusal = FakePodApi.ConnectionRefused;
        h.Provider.Start();
        h.AdvanceTo(await h.BackingOffAsync(1));
        h.AdvanceTo(await h.BackingOffAsync(2));
        var third = await h.BackingOffAsync(3);

        h.Api.Refusal = null;
        h.AdvanceTo(third);
        await h.UntilAsync(s => s.State == WatchState.Watching && h.Api.OpenWatches == 1, "listed and watching again");

        var recovering = h.Provider.Health();
        Assert.Equal(ComponentStatus.Degraded, recovering.Status);
        Assert.Equal(("yes", "watching", "1"), (recovering.Details["reachable"], recovering.Details["watch"], recovering.Details["pods"]));
        Assert.Equal(KubernetesHealth.Time(third), recovering.Details["lastList"]);
        Assert.Equal(third, recovering.LastSuccess);
        Assert.Single(await h.Provider.ListAsync(CancellationToken.None));
        Assert.DoesNotContain(h.Logs.Messages, m => m.Contains("recovered", StringComparison.Ordinal));

        h.Time.Advance(TimeSpan.FromSeconds(10));
        await h.UntilAsync(s => s.State == WatchState.Synced, "the watch proved healthy");

        var ok = h.Provider.Health();
        Assert.Equal(ComponentStatus.Ok, ok.Status);
        Assert.Null(ok.LastError);
        Assert.Equal(("synced", "0"), (ok.Details["watch"], ok.Details["failures"]));
        var recovered = Assert.Single(h.Logs.Messages, m => m.Contains("recovered", StringComparison.Ordinal));
        Assert.Contains("pod list and watch recovered after 3 failed attempts over 17 s", recovered, StringComparison.Ordinal);
        Assert.Single(h.Warnings);

        // A new outage starts the backoff over at 1 s, and is logged once more.
        h.Api.Refusal = FakePodApi.ConnectionRefused;
        h.Api.EndWatches();
        var next = await h.BackingOffAsync(1);
        Assert.Equal(TimeSpan.FromSeconds(1), next - h.Time.GetUtcNow());
        Assert.Equal(2, h.Warnings.Count);
        Assert.Equal(ComponentStatus.Degraded, h.Provider.Health().Status);
    }

    [Fact]
    public async Task ApiGoneLongerThanTheBound_AfterWorking_IsDown_AndTheCacheIsNotServed()
    {
        await using var h = FakeProviderHarness.Create();
        h.Seed("drover-linux-0");
        h.Provider.Start();
        await h.UntilAsync(s => s.State == WatchState.Synced && h.Api.OpenWatches == 1, "synced");
        var listed = h.Time.GetUtcNow();

        h.Api.Refusal = FakePodApi.ConnectionRefused;
        h.Api.EndWatches(new IOException("The response ended prematurely."));
        h.AdvanceTo(await h.BackingOffAsync(1));
        await h.BackingOffAsync(2);

        var blip = h.Provider.Health();
        Assert.Equal(ComponentStatus.Degraded, blip.Status);
        Assert.Equal(listed, blip.LastSuccess);
        Assert.Contains("Connection refused", blip.LastError, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<PodCacheNotSyncedException>(() => h.Provider.ListAsync(CancellationToken.None));
        Assert.Contains($"the last list failed; the API server last answered at {KubernetesHealth.Time(listed)}", refused.Message, StringComparison.Ordinal);

        for (var failures = 2; h.Time.GetUtcNow() - listed <= TimeSpan.FromSeconds(30); failures++)
        {
            h.AdvanceTo(await h.BackingOffAsync(failures));
        }

        await h.UntilAsync(s => s.State == WatchState.BackingOff && s.Failures == 6 && h.Api.ListAttempts.Count == 6, "the list 31 s after the last answer failed");
        Assert.Equal(ComponentStatus.Down, h.Provider.Health().Status);
        Assert.Single(h.Warnings);
    }

    [Fact]
    public async Task WatchRefused_ListsSucceed_Degraded_CacheServed_OneWarning()
    {
        await using var h = FakeProviderHarness.Create();
        h.Seed("drover-linux-0");
        h.Api.WatchRefusal = () => FakePodApi.Refused(HttpStatusCode.Forbidden, "pods is forbidden: User \"system:serviceaccount:drover:drover\" cannot watch resource \"pods\" in API group \"\" in the namespace \"ci\"");
        h.Provider.Start();

        h.AdvanceTo(await h.BackingOffAsync(1));
        h.AdvanceTo(await h.BackingOffAsync(2));
        h.AdvanceTo(await h.BackingOffAsync(3));
        h.AdvanceTo(await h.BackingOffAsync(4));
        await h.BackingOffAsync(5);

        Assert.Equal(5, h.Api.ListAttempts.Count);
        Assert.Equal(5, h.Api.WatchAttempts.Count);
        var health = h.Provider.Health();
        Assert.Equal(ComponentStatus.Degraded, health.Status);
        Assert.Equal("yes", health.Details["reachable"]);
        Assert.Contains("watch pods: 403 Forbidden: pods is forbidden", health.LastError, StringComparison.Ordinal);
        Assert.Equal(h.Api.ListAttempts[^1], health.LastSuccess);
        Assert.Equal("drover-linux-0", Assert.Single(await h.Provider.ListAsync(CancellationToken.None)).InstanceId);
        var warning = Assert.Single(h.Warnings);
        Assert.Contains("pod watch failed: kubernetes k8s-east: watch pods: 403 Forbidden", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchHistoryCompacted_410Gone_ListsAgainAtOnce_WithoutWarning_AndMissesNothing()
    {
        await using var h = FakeProviderHarness.Create();
        h.Provider.Start();
        await h.UntilAsync(s => s.State == WatchState.Synced && h.Api.OpenWatches == 1, "synced and watching");
        await h.Provider.CreateAsync(h.Request("drover-linux-0"), CancellationToken.None);
        h.Time.Advance(TimeSpan.FromSeconds(2));

        h.Api.Compact();

        await h.UntilAsync(() => h.Api.ListAttempts.Count == 2 && h.Api.OpenWatches == 1, "listed again and watching");
        Assert.Equal(3, h.Api.WatchAttempts.Count);
        Assert.Equal(h.Api.ListAttempts[0] + TimeSpan.FromSeconds(2), h.Api.ListAttempts[1]);
        h.Seed("drover-linux-1");
        h.Api.Update("drover-linux-1", p => p.Status.Phase = "Failed");
        await Eventually.TrueAsync(async () => (await h.Provider.ListAsync(CancellationToken.None)).Any(i => i.Failure is not null), "the failure after the relist seen", TimeSpan.FromSeconds(10));
        Assert.Empty(h.Warnings);
        Assert.Contains(h.Logs.Messages, m => m.Contains("pod watch ended (410 Gone", StringComparison.Ordinal));
        Assert.Equal(ComponentStatus.Ok, h.Provider.Health().Status);
    }

    [Fact]
    public async Task FirstListHangs_ListCallFailsAfterFiveSeconds_NotThirty_ThenTheListTimesOut()
    {
        await using var h = FakeProviderHarness.Create();
        h.Api.ListGate = new TaskCompletionSource().Task;
        h.Provider.Start();
        await h.UntilAsync(() => h.Api.ListAttempts.Count == 1, "the first list sent");

        var first = h.Provider.ListAsync(CancellationToken.None);
        Assert.False(first.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        var notYet = await Assert.ThrowsAsync<PodCacheNotSyncedException>(() => first);
        Assert.Contains("the first list has not answered after 5 s", notYet.Message, StringComparison.Ordinal);
        Assert.True(h.Provider.ListAsync(CancellationToken.None).IsFaulted, "later calls do not wait");
        Assert.Equal((ComponentStatus.Down, "listing"), (h.Provider.Health().Status, h.Provider.Health().Details["watch"]));

        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.BackingOffAsync(1);
        Assert.Contains("the API server did not answer the list within 10 s", h.Provider.Health().LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Backoff_DoublesFromOneSecond_CapsAtSixty_JitterOnlyShortens()
    {
        var none = new FixedRandom(0);
        var most = new FixedRandom(0.999);

        Assert.Equal([1, 2, 4, 8, 16, 32, 60, 60], Enumerable.Range(1, 8).Select(n => WatchBackoff.Delay(n, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), none).TotalSeconds));
        Assert.Equal(60, WatchBackoff.Delay(1000, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), none).TotalSeconds);
        var jittered = Enumerable.Range(1, 8).Select(n => WatchBackoff.Delay(n, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), most).TotalSeconds).ToList();
        Assert.All(jittered.Zip([1, 2, 4, 8, 16, 32, 60, 60]), p => Assert.InRange(p.First, p.Second * 0.8, p.Second * 0.81));
    }
}
