using System.Collections.Concurrent;
using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.EndToEnd.Tests.Support;
using Drover.Providers.Kubernetes;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Kubernetes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using k8s.Models;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with GitHub pools on the real <c>kubernetes</c> provider, talking with the official client to
/// emulated clusters whose kubelet runs each pod's runner (the stand-in runner with the JIT config read from the pod's
/// secret) against the GitHub emulator.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class KubernetesEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_k8s_e2e";
    private const string Secret = "k8s-e2e-secret";
    private readonly TempDirectory _directory = new("drover-k8s-e2e-");
    private readonly ConcurrentBag<KubernetesProvider> _providers = [];

    public void Dispose()
    {
        // drover serve leaves its providers running at exit (docs/providers/process.md); the test stops their watches.
        foreach (var provider in _providers)
        {
            provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Serve_PoolOfMax20_Runs60JobsInPods_ReplacesBadPods_NeverOver20_LeavesNothing()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 7 });
        await using var cluster = await KubernetesEmulator.StartAsync("east");
        var created = 0;
        var broken = new ConcurrentDictionary<string, PodOutcome>(StringComparer.Ordinal);
        cluster.Outcome = pod =>
        {
            // Every 9th pod cannot pull its image and every 13th is evicted: first tries only, their replacements run.
            var n = Interlocked.Increment(ref created);
            var outcome = n % 9 == 0 ? PodOutcome.ImagePullError : n % 13 == 0 ? PodOutcome.Evicted : PodOutcome.Run;
            if (outcome != PodOutcome.Run)
            {
                broken[pod.Metadata.Name] = outcome;
            }

            return outcome;
        };
        cluster.Kubelet = RunStandIn;
        await using var app = await StartAsync(github, Providers(("east", cluster)), "providers: [east]", max: 20);
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;

        for (var burst = 0; burst < 4; burst++)
        {
            for (var i = 0; i < 15; i++)
            {
                var n = (burst * 15) + i;
                github.QueueRun("acme/api", ($"job-{n}", n % 2 == 0 ? ["linux"] : ["self-hosted", "linux"], TimeSpan.FromMilliseconds(300 + (41 * n % 500))));
            }

            await Task.Delay(500);
        }

        await Eventually.ThatAsync(github.Jobs, jobs => jobs.All(j => j.Status == "completed"), "all 60 jobs completed", TestServe.Statuses, TimeSpan.FromSeconds(120));
        var allRun = DateTime.UtcNow - started;
        await Eventually.ThatAsync(
            async () => (Pods: cluster.Pods().Count, Secrets: cluster.Secrets().Count, Forge: github.Runners().Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0, 0),
            "no pod, secret, forge runner or live runner left",
            left => $"{left.Pods} pods, {left.Secrets} secrets, {left.Forge} at the forge, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));

        var jobs = github.Jobs();
        Assert.Equal(60, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(1, j.Takes));
        Assert.All(jobs, j => Assert.Equal("success", j.Conclusion));
        Assert.Equal(60, jobs.Select(j => j.RunnerName).Distinct(StringComparer.Ordinal).Count());
        if (cluster.HighWater > 20)
        {
            var lines = new List<string>();
            foreach (var name in cluster.HighWaterPods.Select(p => p.Split(':')[0]))
            {
                var h = await store.GetRunnerHistoryAsync(name, CancellationToken.None);
                lines.Add(name + ": " + string.Join(" > ", h.Select(t => $"{t.To}@{t.At:HH:mm:ss.fff}({t.Reason})")));
            }

            Assert.Fail(string.Join("\n", cluster.HighWaterPods) + "\n" + string.Join("\n", lines));
        }
        Assert.Contains(PodOutcome.ImagePullError, broken.Values);
        Assert.Contains(PodOutcome.Evicted, broken.Values);
        var history = await Task.WhenAll(broken.Keys.Select(name => store.GetRunnerHistoryAsync(name, CancellationToken.None)));
        Assert.All(history, h => Assert.Contains(h, t => t.To == RunnerState.Failed && (t.Reason.Contains("ErrImagePull", StringComparison.Ordinal) || t.Reason.Contains("Evicted", StringComparison.Ordinal))));
        output.WriteLine($"60 jobs in {created} pods ({broken.Count} broken and replaced), at most {cluster.HighWater} pods pending or running at once ({cluster.ObjectHighWater} pod objects, finished ones awaiting deletion included), all run after {allRun.TotalSeconds:F1} s");
    }

    [Fact]
    public async Task Serve_FirstClusterCannotSchedule_SecondClusterTakesTheRunners()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 11 });
        await using var east = await KubernetesEmulator.StartAsync("east");
        await using var west = await KubernetesEmulator.StartAsync("west");
        east.Outcome = _ => PodOutcome.Unschedulable;
        east.Kubelet = RunStandIn;
        west.Kubelet = RunStandIn;
        await using var app = await StartAsync(github, Providers(("east", east), ("west", west)), "providers: [east, west]", max: 10);
        var store = app.Services.GetRequiredService<IStateStore>();

        for (var n = 0; n < 12; n++)
        {
            github.QueueRun("acme/api", ($"job-{n}", ["linux"], TimeSpan.FromMilliseconds(300)));
        }

        await Eventually.ThatAsync(github.Jobs, jobs => jobs.All(j => j.Status == "completed"), "all 12 jobs completed", TestServe.Statuses, TimeSpan.FromSeconds(90));
        await Eventually.ThatAsync(
            async () => (East: east.Pods().Count, West: west.Pods().Count, Forge: github.Runners().Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0, 0),
            "nothing left in either cluster",
            left => $"{left.East} pods in east, {left.West} in west, {left.Forge} at the forge, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));

        var runners = await store.ListRunnersAsync(null, null, CancellationToken.None);
        var ranJobs = github.Jobs().Select(j => j.RunnerName!).ToHashSet(StringComparer.Ordinal);
        Assert.All(runners.Where(r => ranJobs.Contains(r.Id)), r => Assert.Equal("west", r.Provider));
        Assert.Equal(12, ranJobs.Count);
        var eastRunners = runners.Where(r => r.Provider == "east").ToList();
        Assert.NotEmpty(eastRunners);
        Assert.InRange(eastRunners.Count, 1, 10);
        var planning = await store.LoadPlanningStateAsync(DateTimeOffset.MinValue, CancellationToken.None);
        var breaker = planning.Observed.Breakers["east"];
        Assert.Equal(BreakerStatus.Open, breaker.Status);
        Assert.All(eastRunners, r => Assert.Contains("Unschedulable", r.FailureReason ?? string.Empty, StringComparison.Ordinal));
        output.WriteLine($"{eastRunners.Count} runner(s) tried on east (unschedulable), 12 jobs run on west; east breaker: {breaker.Status} after {breaker.ConsecutiveFailures} failures");
    }

    private static async Task<int> RunStandIn(V1Pod pod, string jitConfig, CancellationToken cancellationToken)
    {
        try
        {
            return await StandInRunner.RunAsync(jitConfig, cancellationToken) is null ? 1 : 0;
        }
        catch (OperationCanceledException)
        {
            return 143;
        }
    }

    private Dictionary<string, KubernetesEmulator> Providers(params (string Name, KubernetesEmulator Cluster)[] clusters) =>
        clusters.ToDictionary(c => c.Name, c => c.Cluster, StringComparer.Ordinal);

    private Task<WebApplication> StartAsync(GitHubEmulator github, Dictionary<string, KubernetesEmulator> clusters, string placement, int max)
    {
        var providers = string.Join('\n', clusters.Select(c => $$"""
              - name: {{c.Key}}
                type: kubernetes
                settings:
                  kubeconfig: "{{c.Value.WriteKubeconfig(_directory.Path)}}"
                  namespace: ci
                  unschedulableTimeout: 1s
            """));
        var yaml = $$"""
            controllerId: drover
            orphanGracePeriod: 5s
            forges:
              - name: github
                kind: github
                url: {{github.ApiUrl}}
                auth: { token: env:K8S_E2E_GITHUB_TOKEN }
                webhookSecret: env:K8S_E2E_WEBHOOK_SECRET
            providers:
            {{providers}}
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                {{placement}}
                max: {{max.ToString(CultureInfo.InvariantCulture)}}
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """;
        var environment = new Dictionary<string, string> { ["K8S_E2E_GITHUB_TOKEN"] = Token, ["K8S_E2E_WEBHOOK_SECRET"] = Secret };
        var catalog = new AdapterCatalog()
            .Add(new KubernetesModule((config, context) =>
            {
                var provider = (KubernetesProvider)KubernetesProviderFactory.Create(config, context);
                _providers.Add(provider);
                return provider;
            }))
            .AddGitHub(environment);
        return StartAndHookAsync(github, yaml, catalog);
    }

    private async Task<WebApplication> StartAndHookAsync(GitHubEmulator github, string yaml, AdapterCatalog catalog)
    {
        var app = await TestServe.StartAsync(yaml, catalog, _directory.Path, "k8s-e2e");
        github.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        github.Webhooks.Secret = Secret;
        return app;
    }
}
