using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.EndToEnd.Tests.Support;
using Drover.Forges.GitLab;
using Drover.Providers.Process;
using Drover.Forges.GitHub;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.GitLab;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with GitLab group pools on the real <c>process</c> provider against the GitLab emulator: every
/// runner is a child process (the stand-in for <c>gitlab-runner run-single --max-builds 1</c>) with its own <c>glrt-</c>
/// token in the environment; and one <c>drover serve</c> serving a GitHub pool and a GitLab pool at once.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class GitLabEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string GitLabToken = "glpat-e2e-token";
    private const string HookToken = "gitlab-e2e-hook";
    private const string GitHubToken = "ghp_dual_e2e";
    private const string GitHubSecret = "dual-e2e-secret";
    private readonly TempDirectory _directory = new("drover-gitlab-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_GitLabGroupPools_EveryMatchableJobOnItsOwnRunner_UntaggedOnlyOnRunUntagged_NothingLeft()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        IProvider? provider = null;
        await using var app = await StartAsync(gitlab, null, p => provider = p);
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;

        // 50 jobs in 5 bursts over two projects: docker jobs, linux jobs, untagged jobs, and two no pool can take; the
        // API fails, rate-limits and slows down for part of the run.
        var unmatched = new List<long>();
        for (var burst = 0; burst < 5; burst++)
        {
            for (var i = 0; i < 10; i++)
            {
                var n = (burst * 10) + i;
                var project = n % 2 == 0 ? 101 : 102;
                var duration = TimeSpan.FromMilliseconds(200 + (37 * n % 300));
                string[] tags = (n % 5) switch { 0 or 1 => ["docker"], 2 => ["docker", "linux"], 3 => ["linux"], _ => [] };
                if (n is 17 or 33)
                {
                    unmatched.Add(gitlab.Queue(project, ["windows"], duration));
                    continue;
                }

                gitlab.Queue(project, tags, duration);
            }

            await Task.Delay(400);
            if (burst == 1)
            {
                // The API misbehaves for a while: server errors, a rate-limit refusal, slow answers.
                gitlab.FailNext(3);
                gitlab.RateLimitNext(2);
                gitlab.Latency = TimeSpan.FromMilliseconds(20);
            }
            else if (burst == 3)
            {
                gitlab.Latency = TimeSpan.Zero;
            }
        }

        var matchable = () => gitlab.Jobs().Where(j => !unmatched.Contains(j.Id)).ToList();
        await Eventually.ThatAsync(matchable, jobs => jobs.All(j => j.Status == "success"), "every matchable job ran", Statuses, TimeSpan.FromSeconds(180));
        var allRun = DateTime.UtcNow - started;
        await Eventually.ThatAsync(
            async () => (Forge: gitlab.Runners().Count, Provider: (await provider!.ListAsync(CancellationToken.None)).Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0),
            "no GitLab runner, process or live runner left",
            left => $"{left.Forge} at GitLab, {left.Provider} processes, {left.Store} live in the store",
            TimeSpan.FromSeconds(90));

        var jobs = matchable();
        Assert.Equal(48, jobs.Count);
        Assert.All(jobs, j => Assert.Equal(1, j.Takes));
        Assert.Equal(48, jobs.Select(j => j.RunnerDescription).Distinct(StringComparer.Ordinal).Count());
        Assert.All(jobs.Where(j => j.Tags.Count == 0), j => Assert.StartsWith("drover-general-", j.RunnerDescription, StringComparison.Ordinal));
        Assert.All(gitlab.Jobs().Where(j => unmatched.Contains(j.Id)), j => Assert.Equal("pending", j.Status));
        var exits = ((ProcessProvider)provider!).RecentExits;
        var unclean = jobs.Where(j => !exits.Any(e => e.RunnerName == j.RunnerDescription && e.ExitCode == 0))
            .Select(j => $"job {j.Id} on {j.RunnerDescription}: {string.Join(", ", exits.Where(e => e.RunnerName == j.RunnerDescription).Select(e => $"exit {e.ExitCode} at {e.ExitedAt:HH:mm:ss.fff}, deleted {e.Deleted}, killed {e.KilledFromOutside}").DefaultIfEmpty("no exit recorded"))}")
            .ToList();
        Assert.True(unclean.Count == 0, "every job's runner ended by itself with exit 0; not: " + string.Join("; ", unclean));
        output.WriteLine($"48 matchable jobs on {jobs.Count} fresh runners, all run after {allRun.TotalSeconds:F1} s; 2 windows jobs left pending");
    }

    [Fact]
    public async Task Serve_GitHubPoolAndGitLabPool_AtOnce_BothForgesJobsRun()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubToken], Seed = 5 });
        await using var app = await StartAsync(gitlab, github, _ => { });
        github.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        github.Webhooks.Secret = GitHubSecret;

        for (var n = 0; n < 10; n++)
        {
            gitlab.Queue(101, n % 2 == 0 ? ["docker"] : [], TimeSpan.FromMilliseconds(300));
            github.QueueRun("acme/api", ($"job-{n}", ["linux"], TimeSpan.FromMilliseconds(300)));
        }

        await Eventually.TrueAsync(
            () => gitlab.Jobs().All(j => j.Status == "success") && github.Jobs().All(j => j.Status == "completed"),
            "both forges' jobs ran",
            TimeSpan.FromSeconds(120),
            seen: () => $"GitLab: {Statuses(gitlab.Jobs())}; GitHub: {TestServe.Statuses(github.Jobs())}");
        await Eventually.TrueAsync(
            () => gitlab.Runners().Count == 0 && github.Runners().Count == 0,
            "both forges' runners removed",
            TimeSpan.FromSeconds(90),
            seen: () => $"{gitlab.Runners().Count} at GitLab, {github.Runners().Count} at GitHub");

        Assert.All(gitlab.Jobs(), j => Assert.Equal(1, j.Takes));
        Assert.All(github.Jobs(), j => Assert.Equal(1, j.Takes));
        Assert.All(github.Jobs(), j => Assert.StartsWith("drover-actions-", j.RunnerName, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("wrong-token", "{\"object_kind\":\"build\"}", 401)]
    [InlineData(null, "{\"object_kind\":\"build\"}", 401)]
    [InlineData(HookToken, "{\"object_kind\": ", 400)]
    public async Task Serve_GitLabHook_WrongOrMissingToken401_MalformedJson400_NothingStored(string? token, string body, int status)
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(gitlab, null, _ => { });
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab/gitlab") { Content = new StringContent(body) };
        request.Headers.Add("X-Gitlab-Event", "Job Hook");
        request.Headers.Add("X-Gitlab-Event-UUID", "refused-1");
        if (token is not null)
        {
            request.Headers.Add("X-Gitlab-Token", token);
        }

        using var response = await http.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Null(await app.Services.GetRequiredService<IStateStore>().GetDeliveryAsync("gitlab", "refused-1", CancellationToken.None));
    }

    [Fact]
    public async Task Serve_GitLabHookWithoutDeliveryHeader_IsStoredOnceByJobAndStatus()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(gitlab, null, _ => { });
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        const string body = """{"object_kind":"build","build_id":424242,"project_id":101,"build_status":"running"}""";

        var statuses = new List<int>();
        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab/gitlab") { Content = new StringContent(body) };
            request.Headers.Add("X-Gitlab-Token", HookToken);
            using var response = await http.SendAsync(request);
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([202, 200], statuses);
        Assert.NotNull(await app.Services.GetRequiredService<IStateStore>().GetDeliveryAsync("gitlab", "job-424242-running", CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"object_kind":"build","build_id":424243,"project_id":101,"build_status":"\ud800"}""", "field 'build_status' at line 1, column 74 holds an unpaired surrogate escape")]
    [InlineData("""{"object_kind":"build","build_id":424244,"project_id":101,"build_status":"running","runner":{"description":"\udfff"}}""", "field 'description'")]
    public async Task Serve_GitLabHookWithoutDeliveryHeader_UnpairedSurrogate_Is400NothingStored(string body, string message)
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(gitlab, null, _ => { });
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/gitlab/gitlab") { Content = new StringContent(body) };
        request.Headers.Add("X-Gitlab-Token", HookToken);
        request.Headers.Add("X-Gitlab-Event", "Job Hook");

        using var response = await http.SendAsync(request);

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var store = app.Services.GetRequiredService<IStateStore>();
        Assert.Empty(await store.ListDeliveriesAsync(DeliveryState.Waiting, 10, CancellationToken.None));
        Assert.Empty(await store.ListDeliveriesAsync(DeliveryState.Quarantined, 10, CancellationToken.None));
    }

    private Task<WebApplication> StartAsync(GitLabEmulator gitlab, GitHubEmulator? github, Action<IProvider> created)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var githubForge = github is null ? string.Empty : $$"""
              - name: github
                kind: github
                url: {{github.ApiUrl}}
                auth: { token: env:DUAL_GITHUB_TOKEN }
                webhookSecret: env:DUAL_GITHUB_SECRET
            """;
        var githubPool = github is null ? string.Empty : """
              - name: actions
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: local
                max: 4
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 10s }
            """;
        var yaml = $$"""
            controllerId: drover
            orphanGracePeriod: 5s
            forges:
              - name: gitlab
                kind: gitlab
                url: {{gitlab.Url}}
                auth: { token: env:GITLAB_E2E_TOKEN }
                webhookSecret: env:GITLAB_E2E_HOOK
            {{githubForge}}
            providers:
              - name: local
                type: process
                settings:
                  command: dotnet "{{standIn}}"
                  workRoot: "{{Path.Combine(_directory.Path, "runners")}}"
                  maxConcurrent: "10"
                  env: CI_SERVER_URL={{gitlab.Url}}
            pools:
              - name: docker
                forge: gitlab
                scope: { group: acme }
                tags: [docker, linux]
                provider: local
                max: 5
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 10s }
              - name: general
                forge: gitlab
                scope: { group: acme }
                tags: [linux]
                runUntagged: true
                provider: local
                max: 4
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 10s }
            {{githubPool}}
            """;
        var environment = new Dictionary<string, string>
        {
            ["GITLAB_E2E_TOKEN"] = GitLabToken, ["GITLAB_E2E_HOOK"] = HookToken, ["DUAL_GITHUB_TOKEN"] = GitHubToken, ["DUAL_GITHUB_SECRET"] = GitHubSecret,
        };
        var catalog = new AdapterCatalog()
            .AddProcess(created)
            .Add(new GitLabModule(GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(5) }))
            .AddGitHub(environment);
        return StartAndHookAsync(gitlab, yaml, catalog);
    }

    private async Task<WebApplication> StartAndHookAsync(GitLabEmulator gitlab, string yaml, AdapterCatalog catalog)
    {
        var app = await TestServe.StartAsync(yaml, catalog, _directory.Path, "gitlab-e2e");
        gitlab.HookTarget = new Uri(new Uri(app.Urls.First()), "/webhooks/gitlab/gitlab");
        gitlab.HookToken = HookToken;
        return app;
    }

    private static string Statuses(IReadOnlyList<EmulatedGitLabJob> jobs) => string.Join(", ", jobs.GroupBy(j => j.Status, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
}
