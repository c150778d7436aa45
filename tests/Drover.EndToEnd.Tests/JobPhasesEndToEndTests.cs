using System.Globalization;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.EndToEnd.Tests.Support;
using Drover.Server.Auth;
using Drover.Forges.GitLab;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.GitLab;
using Microsoft.AspNetCore.Builder;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// Time-to-runner by phase, measured: <c>drover serve</c> with a GitHub pool of cold runners, a GitHub pool with one
/// warm runner and a GitLab pool, all on the real <c>process</c> provider (stand-in runner processes). Every job's
/// phases in <c>GET /api/v1/jobs</c> sum to its wait, the warm runner's job has no decision, provisioning, boot or
/// registration time, and <c>drover_job_phase_seconds</c> in <c>/metrics</c> holds exactly those phases. Bounded: 13 jobs.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed partial class JobPhasesEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string GitHubToken = "ghp_phases_e2e";
    private const string GitHubSecret = "phases-e2e-secret";
    private const string GitLabToken = "glpat-phases-e2e";
    private const string HookToken = "phases-e2e-hook";
    private const string ViewerToken = "phases-e2e-viewer";
    private readonly TempDirectory _directory = new("drover-phases-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_JobsOnColdAndWarmRunnersOfBothForges_PhasesSumToEachWaitAndTheHistogramsHoldThem()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubToken], Seed = 8 });
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(github, gitlab);
        github.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        github.Webhooks.Secret = GitHubSecret;
        gitlab.HookTarget = new Uri(new Uri(app.Urls.First()), "/webhooks/gitlab/gitlab");
        gitlab.HookToken = HookToken;
        using var api = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(20) };
        api.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ViewerToken);

        // The warm pool's runner is registered and idle before its job exists.
        await Eventually.TrueAsync(
            async () => JsonDocument.Parse(await api.GetStringAsync("/api/v1/runners?state=idle")).RootElement.GetProperty("runners").GetArrayLength() == 1,
            "the warm pool's runner idle",
            TimeSpan.FromSeconds(60));
        var warm = github.QueueRun("acme/api", ("warm-0", ["warm"], TimeSpan.FromMilliseconds(300))).Single();
        for (var n = 0; n < 6; n++)
        {
            github.QueueRun("acme/api", ($"cold-{n}", ["cold"], TimeSpan.FromMilliseconds(300)));
            gitlab.Queue(101, ["docker"], TimeSpan.FromMilliseconds(300));
        }

        await Eventually.TrueAsync(
            () => github.Jobs().All(j => j.Status == "completed") && gitlab.Jobs().All(j => j.Status == "success"),
            "every job ran",
            TimeSpan.FromSeconds(120),
            seen: () => $"GitHub: {TestServe.Statuses(github.Jobs())}; GitLab: {string.Join(", ", gitlab.Jobs().Select(j => j.Status))}");
        var jobs = await Eventually.ThatAsync(
            async () => JsonDocument.Parse(await api.GetStringAsync("/api/v1/jobs?state=completed")).RootElement.GetProperty("jobs").EnumerateArray().ToList(),
            list => list.Count == 13 && list.All(j => j.GetProperty("phases").ValueKind == JsonValueKind.Object),
            "all 13 jobs completed with their phases",
            list => $"{list.Count} completed, {list.Count(j => j.GetProperty("phases").ValueKind == JsonValueKind.Object)} with phases",
            TimeSpan.FromSeconds(30));

        var waits = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            var key = job.GetProperty("key");
            var (forge, id) = (key.GetProperty("forge").GetString()!, key.GetProperty("id").GetString()!);
            var phases = job.GetProperty("phases").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble(), StringComparer.Ordinal);
            Assert.Equal(["intake", "decision", "provisioning", "boot", "registration", "pickup"], phases.Keys);
            Assert.All(phases.Values, v => Assert.True(v >= 0, $"{forge}/{id}: a negative phase in {job}"));
            var wait = job.GetProperty("waitSeconds").GetDouble();
            var sum = phases.Values.Sum();
            Assert.True(Math.Abs(sum - wait) < 0.005, $"{forge}/{id}: phases sum to {sum:F4} s, the wait is {wait:F4} s");

            // The wait is the forge's: started minus created, as the forge reports them (to the second in payloads).
            var (created, started) = forge == "github"
                ? (github.Jobs().Single(j => j.Id.ToString(CultureInfo.InvariantCulture) == id).CreatedAt, github.Jobs().Single(j => j.Id.ToString(CultureInfo.InvariantCulture) == id).StartedAt!.Value)
                : (gitlab.Jobs().Single(j => j.Id.ToString(CultureInfo.InvariantCulture) == id).CreatedAt, gitlab.Jobs().Single(j => j.Id.ToString(CultureInfo.InvariantCulture) == id).StartedAt!.Value);
            Assert.True(Math.Abs((started - created).TotalSeconds - wait) < 1.01, $"{forge}/{id}: Drover's wait {wait:F3} s, the forge's {(started - created).TotalSeconds:F3} s");

            var runner = job.GetProperty("runnerTimes");
            var pool = runner.GetProperty("runnerId").GetString()!.Split('-')[1];
            (waits.TryGetValue(pool, out var list) ? list : waits[pool] = []).Add(wait);
            if (id == warm.ToString(CultureInfo.InvariantCulture))
            {
                Assert.Equal("warm", pool);
                // Its runner was ready before Drover knew of the job: the wait after intake is all pickup (the forge's
                // times are to the second, so that may be 0).
                Assert.True(runner.GetProperty("readyAt").GetDateTimeOffset() < job.GetProperty("knownAt").GetDateTimeOffset(), $"the warm runner's job: {job}");
                Assert.Equal([0d, 0, 0, 0], new[] { phases["decision"], phases["provisioning"], phases["boot"], phases["registration"] });
                Assert.Equal(wait - phases["intake"], phases["pickup"], 6);
            }

            output.WriteLine($"{forge}/{id} on {pool}: wait {wait:F3} s = " + string.Join(" + ", phases.Select(p => $"{p.Key} {p.Value:F3}")));
        }

        Assert.Equal([6, 6, 1], new[] { "cold", "docker", "warm" }.Select(p => waits.GetValueOrDefault(p)?.Count ?? 0));
        // The stand-in runners take 1.5 s from process start to online; the forge's start is to the second, so a cold
        // runner's job shows at least 0.5 s of boot.
        Assert.Contains(jobs, j => j.GetProperty("phases").GetProperty("boot").GetDouble() >= 0.5);

        // The histograms hold every phase of every job once, and per pool their sums add up to the jobs' waits.
        var metrics = await api.GetStringAsync("/metrics");
        foreach (var (pool, poolWaits) in waits)
        {
            var sum = 0d;
            foreach (var phase in new[] { "intake", "decision", "provisioning", "boot", "registration", "pickup" })
            {
                Assert.Equal(poolWaits.Count, Sample(metrics, "drover_job_phase_seconds_count", pool, phase));
                Assert.Equal(poolWaits.Count, Sample(metrics, "drover_job_phase_seconds_bucket", pool, phase, "+Inf"));
                sum += Sample(metrics, "drover_job_phase_seconds_sum", pool, phase);
            }

            Assert.True(Math.Abs(sum - poolWaits.Sum()) < 0.005 * poolWaits.Count, $"pool {pool}: the phase sums add to {sum:F4} s, the waits to {poolWaits.Sum():F4} s");
        }
    }

    private static double Sample(string exposition, string name, string pool, string phase, string? le = null)
    {
        // The exposition sorts a series' labels by name and puts a bucket's le last.
        var labels = $"phase=\"{phase}\",pool=\"{pool}\"" + (le is null ? string.Empty : $",le=\"{le}\"");
        var line = exposition.Split('\n').SingleOrDefault(l => l.StartsWith($"{name}{{{labels}}} ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no {name}{{{labels}}} in the exposition:\n{string.Join('\n', exposition.Split('\n').Where(l => l.Contains("phase", StringComparison.Ordinal)))}");
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private Task<WebApplication> StartAsync(GitHubEmulator github, GitLabEmulator gitlab)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var yaml = $$"""
            controllerId: drover
            forges:
              - name: github
                kind: github
                url: {{github.ApiUrl}}
                auth: { token: env:PHASES_GITHUB_TOKEN }
                webhookSecret: env:PHASES_GITHUB_SECRET
              - name: gitlab
                kind: gitlab
                url: {{gitlab.Url}}
                auth: { token: env:PHASES_GITLAB_TOKEN }
                webhookSecret: env:PHASES_GITLAB_HOOK
            providers:
              - name: local
                type: process
                settings:
                  command: dotnet "{{standIn}}"
                  workRoot: "{{_directory.File("runners")}}"
                  maxConcurrent: "10"
                  env: { CI_SERVER_URL: "{{gitlab.Url}}", STANDIN_BOOT_MS: "1500" }
            pools:
              - name: cold
                forge: github
                scope: { repo: acme/api }
                labels: [cold]
                provider: local
                max: 3
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
              - name: warm
                forge: github
                scope: { repo: acme/api }
                labels: [warm]
                provider: local
                min: 1
                max: 1
                timeouts: { draining: 5s, finishedJobGrace: 2s }
              - name: docker
                forge: gitlab
                scope: { group: acme }
                tags: [docker]
                provider: local
                max: 3
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """;
        var environment = new Dictionary<string, string>
        {
            ["PHASES_GITHUB_TOKEN"] = GitHubToken, ["PHASES_GITHUB_SECRET"] = GitHubSecret, ["PHASES_GITLAB_TOKEN"] = GitLabToken, ["PHASES_GITLAB_HOOK"] = HookToken,
        };
        var catalog = new AdapterCatalog()
            .AddProcess(_ => { })
            .Add(new GitLabModule(GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(5) }))
            .AddGitHub(environment);
        return TestServe.StartAsync(yaml, catalog, _directory.Path, "phases-e2e", [new ApiToken("viewer-bot", ApiRole.Viewer, TokenRegistry.Hash(ViewerToken))]);
    }
}
