using System.Net;
using Drover.Core.Adapters;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Kubernetes;
using k8s;
using Microsoft.Extensions.Time.Testing;
using k8s.Models;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>The thin real layer of the pod-API port: the official client against the emulated API server.</summary>
public sealed class KubernetesPodApiTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("drover-k8s-api-");
    private KubernetesEmulator _cluster = null!;
    private KubernetesPodApi _api = null!;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 8, 0, 0, TimeSpan.Zero));

    public async Task InitializeAsync()
    {
        _cluster = await KubernetesEmulator.StartAsync("east");
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(_cluster.WriteKubeconfig(_directory.Path));
        _api = new KubernetesPodApi(new k8s.Kubernetes(config), "ci", "k8s-east", _time);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _cluster.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task ListAndWatch_SelectorAndVersion_ThenCompacted_Is410Gone()
    {
        _cluster.Kubelet = (_, _, ct) => Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => 0, TaskScheduler.Default);
        var before = await _api.ListPodsAsync("drover.dev/controller=drover", CancellationToken.None);
        await _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None);
        await _api.CreatePodAsync(Pod("other-0", "someone-else"), CancellationToken.None);

        var listing = await _api.ListPodsAsync("drover.dev/controller=drover", CancellationToken.None);
        Assert.Empty(before.Pods);
        Assert.Equal("drover-linux-0", Assert.Single(listing.Pods).Metadata.Name);
        Assert.NotEqual(before.ResourceVersion, listing.ResourceVersion);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var seen = new List<(WatchEventType, string)>();
        await foreach (var change in _api.WatchPodsAsync("drover.dev/controller=drover", before.ResourceVersion!, TimeSpan.FromMinutes(1), stop.Token))
        {
            seen.Add((change.Type, change.Pod.Metadata.Name));
            if (change.Pod.Status?.Phase == "Running")
            {
                break;
            }
        }

        Assert.Equal((WatchEventType.Added, "drover-linux-0"), seen[0]);
        Assert.All(seen, s => Assert.Equal("drover-linux-0", s.Item2));
        Assert.Equal((WatchEventType.Modified, "drover-linux-0"), seen[^1]);

        _cluster.Compact();
        var gone = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var change in _api.WatchPodsAsync("drover.dev/controller=drover", listing.ResourceVersion!, TimeSpan.FromMinutes(1), stop.Token))
            {
                Assert.Fail($"no event expected, got {change.Type}");
            }
        });
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        Assert.Contains("watch pods: 410 Gone: too old resource version", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Conflicts_Missing_AndRefusals_InTheApiServersWords()
    {
        await _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None);

        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("kubernetes k8s-east: create pod drover-linux-0: 409 Conflict: pods \"drover-linux-0\" already exists", conflict.Message);
        Assert.Null(await _api.ReadPodAsync("nobody", CancellationToken.None));
        Assert.False(await _api.DeletePodAsync("nobody", CancellationToken.None));
        Assert.False(await _api.DeleteSecretAsync("nobody", CancellationToken.None));
        Assert.True(await _api.DeletePodAsync("drover-linux-0", CancellationToken.None));

        _cluster.FailNext(1, "GET");
        var failed = await Assert.ThrowsAsync<KubernetesApiException>(() => _api.ListPodsAsync("drover.dev/controller=drover", CancellationToken.None));
        Assert.Equal("kubernetes k8s-east: list pods: 500 InternalServerError: injected failure", failed.Message);

        _cluster.FailNext(1, "GET");
        var watchFailed = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var change in _api.WatchPodsAsync(string.Empty, "1", TimeSpan.FromSeconds(5), CancellationToken.None))
            {
                Assert.Fail($"no event expected, got {change.Type}");
            }
        });
        Assert.Equal(HttpStatusCode.InternalServerError, watchFailed.StatusCode);
    }

    [Fact]
    public async Task Create_TooManyRequestsWithRetryAfter_IsRateLimitedUntilTheServerSaid()
    {
        // The API server's 429 says when to come back (Retry-After, and details.retryAfterSeconds in its Status): the
        // engine holds calls back until then, not for its own default of a minute.
        _cluster.Faults.Rate = 1;
        _cluster.Faults.Kinds = RandomFault.RateLimited;
        _cluster.Faults.RandomRetryAfter = TimeSpan.FromSeconds(3);

        var limited = await Assert.ThrowsAsync<KubernetesApiException>(() => _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal((CallFailureKind.RateLimited, _time.GetUtcNow().AddSeconds(3)), CallFailures.Classify(limited));
        Assert.Contains("429 TooManyRequests: Too many requests, please try again later.", limited.Message, StringComparison.Ordinal);
        Assert.Empty(_cluster.Pods());
    }

    [Fact]
    public async Task Create_AnswerLostAfterThePodWasCreated_RetryMeets409AlreadyExists()
    {
        _cluster.Faults.Rate = 1;
        _cluster.Faults.Kinds = RandomFault.LostAnswer;

        var lost = await Assert.ThrowsAsync<KubernetesApiException>(() => _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None));
        _cluster.Faults.Rate = 0;
        var again = await Assert.ThrowsAsync<KubernetesApiException>(() => _api.CreatePodAsync(Pod("drover-linux-0", "drover"), CancellationToken.None));

        Assert.Equal(HttpStatusCode.InternalServerError, lost.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("drover-linux-0", Assert.Single(_cluster.Pods()).Metadata.Name);
        Assert.Equal(1, _cluster.Faults.Injected[RandomFault.LostAnswer]);
    }

    private static V1Pod Pod(string name, string controller) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { [KubernetesNames.Controller] = controller } },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "runner", Image = "runner" }] },
    };
}
