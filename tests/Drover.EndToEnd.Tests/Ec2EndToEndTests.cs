using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.EndToEnd.Tests.Support;
using Drover.Providers.Ec2;
using Drover.Testing;
using Drover.Testing.Ec2;
using Drover.Testing.GitHub;
using Drover.Testing.Serve;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with a GitHub pool on the real <c>ec2</c> provider, talking through the AWS SDK to the EC2
/// emulator, whose instances boot as the user data says: read the one-time token and Drover's URL from it, fetch the
/// runner credential at <c>/api/v1/bootstrap/credential</c>, run the stand-in runner against the GitHub emulator and
/// shut down when it exits.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class Ec2EndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_ec2_e2e";
    private const string Secret = "ec2-e2e-secret";
    private const string ViewerToken = "ec2-e2e-viewer-token-0123456789";
    private static readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly TempDirectory _directory = new("drover-ec2-e2e-");
    private readonly ConcurrentBag<Ec2Provider> _providers = [];
    private readonly ConcurrentBag<string> _refused = [];
    private readonly ConcurrentBag<string> _leaked = [];
    private int _starts;

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task Serve_PoolOfMax30_Serves100Jobs_ThroughCapacityErrorsThrottlingAndSpotInterruptions_LeavesNothing()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 11 });
        await using var ec2 = await Ec2Emulator.StartAsync(e =>
        {
            // No spot m7i.large anywhere and no m6i.large in zone a: spot lands on m6i.large in zone b, on-demand on m7i.large.
            e.HasCapacity = (type, zone, spot) => !(spot && type == "m7i.large") && !(type == "m6i.large" && zone == "us-east-1a");
            e.ThrottleRate = 0.05;
            e.Boot = Boot;
        });
        ec2.Seed(11);
        var port = FreePort();
        await using var app = await StartInProcessAsync(github, ec2, port, max: 30);
        var provider = Assert.Single(_providers);
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;

        // 40 jobs; once two spot runners are busy, EC2 takes both instances back under their jobs.
        var jobs = Queue(github, 0, 40);
        var lost = await InterruptTwoBusySpotInstancesAsync(github, ec2);
        await Eventually.TrueAsync(() => Task.FromResult(provider.Breaker.IsOpen("linux", DateTimeOffset.UtcNow)), "the spot breaker opened after two interruptions", TimeSpan.FromSeconds(30));
        var openedAt = DateTimeOffset.UtcNow;

        // 30 more while the breaker is open: launched on-demand.
        jobs.AddRange(Queue(github, 40, 30));
        await Eventually.TrueAsync(() => Task.FromResult(!provider.Breaker.IsOpen("linux", DateTimeOffset.UtcNow)), "the spot breaker closed again", TimeSpan.FromSeconds(60));
        var closedAt = DateTimeOffset.UtcNow;

        // The last 30 after it closed: spot again.
        jobs.AddRange(Queue(github, 70, 30));
        await Eventually.ThatAsync(
            () => Outcomes(github, jobs), o => o.All(s => s == "success"), "every job (or its re-run) succeeded",
            o => string.Join(", ", o.GroupBy(s => s).Select(g => $"{g.Count()} {g.Key}")), TimeSpan.FromSeconds(240));
        var allRun = DateTime.UtcNow - started;
        await Eventually.ThatAsync(
            async () => (Live: ec2.Live().Count, Forge: github.Runners().Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0),
            "no instance running, no forge runner, no live runner left",
            left => $"{left.Live} instances not terminated, {left.Forge} at the forge, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));

        var instances = ec2.Instances();
        Assert.InRange(ec2.HighWater, 1, 30);
        Assert.Equal(lost.Order(), github.Reruns.Order());
        Assert.All(github.Jobs().Where(j => !lost.Contains(j.Id)), j => Assert.Equal(("completed", "success", 1), (j.Status, j.Conclusion!, j.Takes)));
        Assert.All(instances, i => Assert.Single(instances, o => o.Tags["drover:runner"] == i.Tags["drover:runner"]));
        Assert.All(instances, i => Assert.Equal("drover-ec2", i.Tags["drover:controller"]));
        Assert.Empty(_leaked);
        Assert.All(instances, i => Assert.Null(i.BootError));
        var whileOpen = instances.Where(i => i.LaunchedAt > openedAt.AddSeconds(1) && i.LaunchedAt < closedAt.AddSeconds(-1)).ToList();
        Assert.NotEmpty(whileOpen);
        Assert.All(whileOpen, i => Assert.False(i.Spot, $"{i.Id} launched spot while the breaker was open"));
        Assert.Contains(instances, i => i.Spot && i.LaunchedAt > closedAt);
        Assert.All(instances.Where(i => i.Spot), i => Assert.Equal(("m6i.large", "us-east-1b"), (i.InstanceType, i.AvailabilityZone)));
        Assert.True(ec2.CapacityRefusals > 0 && ec2.Throttled > 0);
        Assert.Empty(_refused);

        // Nothing tagged afterwards: once EC2 stops describing terminated instances, none is left at all.
        ec2.ExpireTerminated(TimeSpan.Zero);
        Assert.Empty(ec2.Instances());
        output.WriteLine(
            $"100 jobs in {allRun.TotalSeconds:F1} s on {instances.Count} instances ({instances.Count(i => i.Spot)} spot, {instances.Count(i => !i.Spot)} on-demand); " +
            $"high water {ec2.HighWater}; {ec2.CapacityRefusals} capacity refusals, {ec2.Throttled} throttled calls; " +
            $"2 spot interruptions under jobs -> {github.Reruns.Count} re-runs; breaker open {(closedAt - openedAt).TotalSeconds:F1} s with {whileOpen.Count} on-demand launches");
    }

    [Fact]
    public async Task Serve_KilledWithSigkillMidBurst_RestartLeaksNoInstanceAndLaunchesNoRunnerTwice()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 12 });
        await using var ec2 = await Ec2Emulator.StartAsync(e =>
        {
            e.Boot = Boot;
            e.StartDelay = TimeSpan.FromMilliseconds(300);
        });
        var port = FreePort();
        var serve = await StartProcessAsync(github, ec2, port);
        var ids = new List<long>();
        for (var n = 0; n < 20; n++)
        {
            ids.AddRange(github.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "linux"], TimeSpan.FromMilliseconds(1500 + (n * 173 % 1500)))));
        }

        await Eventually.ThatAsync(() => ec2.Instances().Count, n => n >= 6, "instances launched", n => $"{n} launched", TimeSpan.FromSeconds(90));
        await serve.KillAsync();
        await serve.DisposeAsync();
        var atKill = ec2.Live().Count;
        await using var restarted = await StartProcessAsync(github, ec2, port);

        try
        {
            await Eventually.ThatAsync(
                () => github.Jobs().Where(j => ids.Contains(j.Id)).ToList(), jobs => jobs.All(j => j.Status == "completed"), "every job of the burst completed",
                TestServe.Statuses, TimeSpan.FromSeconds(240));

            // Orphan grace 5 s: whatever the killed process launched and lost track of is terminated by then.
            await Eventually.ThatAsync(
                () => (Live: ec2.Live().Count, Forge: github.Runners().Count),
                left => left == (0, 0),
                "no instance running and no runner registered after the orphan grace period",
                left => $"{left.Live} instances not terminated ({string.Join(", ", ec2.Live().Select(i => $"{i.Id} {i.State} {i.Tags.GetValueOrDefault("drover:runner")}"))}), {left.Forge} at the forge",
                TimeSpan.FromSeconds(90));
        }
        finally
        {
            output.WriteLine(restarted.Output);
            output.WriteLine(await DiagnosticsAsync(restarted.Url, github, ec2));
        }

        var jobs = github.Jobs().Where(j => ids.Contains(j.Id)).ToList();
        Assert.All(jobs, j => Assert.Equal(("success", 1), (j.Conclusion!, j.Takes)));
        Assert.Empty(_leaked);
        var instances = ec2.Instances();
        var perRunner = instances.GroupBy(i => i.Tags["drover:runner"]).ToList();
        Assert.All(perRunner, g => Assert.Single(g));
        output.WriteLine(
            $"SIGKILL with {atKill} instances up; after restart 20 jobs each run once on {instances.Count} instances, one per runner; " +
            $"{_refused.Count} instances whose token the killed process held were refused and shut down; 0 instances left running");
    }

    /// <summary>What Drover, the forge and EC2 hold now, for a failure's message.</summary>
    private static async Task<string> DiagnosticsAsync(Uri drover, GitHubEmulator github, Ec2Emulator ec2)
    {
        string runners;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(drover, "/api/v1/runners"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ViewerToken);
            using var response = await _http.SendAsync(request);
            runners = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException e)
        {
            runners = e.Message;
        }

        return $"drover runners: {runners}\nforge runners: {string.Join(", ", github.Runners().Select(r => $"{r.Name} online={r.Online} busy={r.Busy}"))}\n" +
            $"instances: {string.Join("\n  ", ec2.Instances().Select(i => $"{i.Id} {i.State} {i.StateReason?.Code} {i.Tags.GetValueOrDefault("drover:runner")}"))}";
    }

    /// <summary>What an instance's user data does: fetch the credential with the one-time token, run the runner, exit.</summary>
    private async Task Boot(EmulatedInstance instance, CancellationToken cancellationToken)
    {
        var (url, token) = InstanceBootstrapClient.Read(instance.UserData) ?? throw new InvalidOperationException($"{instance.Id}: no bootstrap token in its user data");
        var credential = await InstanceBootstrapClient.FetchAsync(_http, url, token, cancellationToken);
        if (credential is null)
        {
            _refused.Add(instance.Id);
            return;
        }

        if (credential.Value.Kind != "jit-config" || instance.UserData.Contains(credential.Value.Credential, StringComparison.Ordinal))
        {
            _leaked.Add($"{instance.Id}: a {credential.Value.Kind} credential, written in its user data: {instance.UserData.Contains(credential.Value.Credential, StringComparison.Ordinal)}");
        }

        if (await InstanceBootstrapClient.FetchAsync(_http, url, token, cancellationToken) is not null)
        {
            _leaked.Add($"{instance.Id}: its bootstrap token gave the credential a second time");
        }

        await StandInRunner.RunAsync(credential.Value.Credential, cancellationToken);
    }

    private static List<long> Queue(GitHubEmulator github, int from, int count)
    {
        var ids = new List<long>();
        for (var n = from; n < from + count; n++)
        {
            ids.AddRange(github.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "linux"], TimeSpan.FromMilliseconds(1000 + (n * 97 % 1500)))));
        }

        return ids;
    }

    /// <summary>Each queued job's final conclusion, following re-runs (a lost job's conclusion is its re-run's).</summary>
    private static List<string> Outcomes(GitHubEmulator github, IReadOnlyList<long> ids)
    {
        var all = github.Jobs().ToDictionary(j => j.Id);
        return [.. ids.Select(id =>
        {
            var job = all[id];
            while (job.RerunAs is { } next && all.TryGetValue(next, out var rerun))
            {
                job = rerun;
            }

            return job.Status == "completed" ? job.Conclusion ?? "?" : job.Status;
        })];
    }

    /// <summary>Waits for two busy runners on spot instances; EC2 takes both back and GitHub loses their jobs. Returns the jobs.</summary>
    private static async Task<List<long>> InterruptTwoBusySpotInstancesAsync(GitHubEmulator github, Ec2Emulator ec2)
    {
        var victims = new List<(EmulatedInstance Instance, EmulatedRunner Runner)>();
        await Eventually.TrueAsync(
            () =>
            {
                var busy = github.Runners().Where(r => r.Busy).ToDictionary(r => r.Name, StringComparer.Ordinal);
                victims = [.. ec2.Live().Where(i => i.Spot && i.State == "running" && busy.ContainsKey(i.Tags["drover:runner"])).Take(2).Select(i => (i, busy[i.Tags["drover:runner"]]))];
                return Task.FromResult(victims.Count == 2);
            },
            "two runners on spot instances are busy",
            TimeSpan.FromSeconds(90));
        var lost = new List<long>();
        foreach (var (instance, runner) in victims)
        {
            Assert.True(ec2.Interrupt(instance.Id));
            lost.Add(github.LoseRunner(runner.Id) ?? throw new InvalidOperationException($"runner {runner.Name} had no job"));
        }

        return lost;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Yaml(GitHubEmulator github, Ec2Emulator ec2, int port, int max, string orphanGrace) => $$"""
        controllerId: drover-ec2
        orphanGracePeriod: {{orphanGrace}}
        forges:
          - name: github
            kind: github
            url: {{github.ApiUrl}}
            auth: { token: env:EC2_E2E_GITHUB_TOKEN }
            webhookSecret: env:EC2_E2E_WEBHOOK_SECRET
        providers:
          - name: aws
            type: ec2
            settings:
              region: us-east-1
              endpoint: "{{ec2.Url}}"
              bootstrapUrl: "http://127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}}"
              listPageSize: 10
              spotBreaker: { interruptions: 2, window: 1m, onDemandFor: 8s }
        pools:
          - name: linux
            forge: github
            scope: { repo: acme/api }
            labels: [linux]
            provider: aws
            max: {{max.ToString(CultureInfo.InvariantCulture)}}
            idleTimeout: 2s
            timeouts: { draining: 5s, finishedJobGrace: 2s }
            template:
              spot: prefer
              ec2:
                ami: ami-0runner
                instanceTypes: [m7i.large, m6i.large]
                subnets: [subnet-0a, subnet-0b]
                tags: { purpose: e2e }
        """;

    private async Task<WebApplication> StartInProcessAsync(GitHubEmulator github, Ec2Emulator ec2, int port, int max)
    {
        var environment = new Dictionary<string, string> { ["EC2_E2E_GITHUB_TOKEN"] = Token, ["EC2_E2E_WEBHOOK_SECRET"] = Secret };
        var catalog = new AdapterCatalog()
            .Add(new Ec2Module((config, context) =>
            {
                var provider = Ec2ProviderFactory.Create(config, context, new BasicAWSCredentials("AKIDE2E", "e2e-secret"), null);
                _providers.Add(provider);
                return provider;
            }))
            .AddGitHub(environment);
        var app = await TestServe.StartAsync(Yaml(github, ec2, port, max, "5s"), catalog, _directory.Path, "ec2-e2e", adjust: o => o with { Urls = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}" });
        github.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        github.Webhooks.Secret = Secret;
        return app;
    }

    private async Task<ServeProcess> StartProcessAsync(GitHubEmulator github, Ec2Emulator ec2, int port)
    {
        var config = _directory.File("fleet.yaml");
        File.WriteAllText(config, Yaml(github, ec2, port, 10, "5s"));
        var serve = await ServeProcess.StartAsync(
            ["--config", config, "--store", "sqlite:" + Path.Combine(_directory.File("data"), "state.db"), "--urls", $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
                "--api-token", "e2e:viewer:env:EC2_E2E_API_TOKEN"],
            new Dictionary<string, string>
            {
                ["EC2_E2E_GITHUB_TOKEN"] = Token,
                ["EC2_E2E_WEBHOOK_SECRET"] = Secret,
                ["AWS_ACCESS_KEY_ID"] = "AKIDE2E",
                ["AWS_SECRET_ACCESS_KEY"] = "e2e-secret",
                ["AWS_EC2_METADATA_DISABLED"] = "true",
                ["EC2_E2E_API_TOKEN"] = ViewerToken,
            },
            _directory.File($"serve-{++_starts}.log"),
            TimeSpan.FromSeconds(60));
        github.Webhooks.Target = new Uri(serve.Url!, "/webhooks/github/github");
        github.Webhooks.Secret = Secret;
        return serve;
    }
}
