using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Core.Traces;
using Drover.Forges.GitLab.Api;
using Drover.Forges.GitLab.Webhooks;
using Drover.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Forges.GitLab.Tests;

public sealed class GitLabForgeTests
{
    private const string Fixtures = "data/fixtures/gitlab";
    private const string WebhookToken = "gl-webhook-token";

    private readonly FakeGitLab _api = new();

    /// <summary>The fleet's priority classes (none unless a test sets them).</summary>
    private IReadOnlyList<PriorityClassConfig> _priorityClasses = [];

    private GitLabForge Forge(params PoolConfig[] pools) => Forge(null, null, null, pools);

    private GitLabForge Forge(IAdapterMetrics? metrics = null, Func<GitLabForgeOptions, GitLabForgeOptions>? options = null, Func<ForgeConfig, ForgeConfig>? configure = null, params PoolConfig[] pools)
    {
        var forge = new ForgeConfig
        {
            Name = "gitlab",
            Kind = ForgeKind.GitLab,
            Url = new Uri("https://gitlab.example.com"),
            Auth = new ForgeAuth { Token = new SecretRef(SecretSource.Env, "GL_TOKEN") },
            WebhookSecret = new SecretRef(SecretSource.Env, "GL_HOOK"),
        };
        forge = configure?.Invoke(forge) ?? forge;
        var fleet = new FleetConfig
        {
            ControllerId = "drover",
            Forges = [forge],
            Providers = [new ProviderConfig { Name = "local", Type = "process" }],
            Pools = pools.Length > 0 ? pools : [Pool("docker", new PoolScope(ScopeKind.Group, "acme"), ["docker"], runUntagged: false)],
            PriorityClasses = _priorityClasses,
        };
        var environment = new Dictionary<string, string> { ["GL_TOKEN"] = FakeGitLab.Token, ["GL_HOOK"] = WebhookToken };
        var settings = GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, Handler = _api, Polling = true };
        return (GitLabForge)GitLabForgeFactory.Create(forge, new AdapterContext(fleet, new RunnerCredentialVault(), TimeProvider.System, new ListLogger()) { Metrics = metrics }, options is null ? settings : options(settings));
    }

    [Fact]
    public void Create_ForgeWithPollInterval_PollsAtThatIntervalOverTheHostDefault()
    {
        using var forge = Forge(configure: f => f with { PollInterval = TimeSpan.FromSeconds(10) });
        using var byDefault = Forge();

        Assert.Equal(TimeSpan.FromSeconds(10), forge.Poller.Interval);
        Assert.Equal(TimeSpan.FromSeconds(30), byDefault.Poller.Interval);
    }

    private static PoolConfig Pool(string name, PoolScope scope, string[] tags, bool runUntagged) => new()
    {
        Name = name, Forge = "gitlab", Scope = scope, Tags = tags, RunUntagged = runUntagged, Provider = "local",
    };

    private static WebhookDelivery Delivery(string body, string id = "uuid-1") => new()
    {
        Forge = "gitlab",
        DeliveryId = id,
        ReceivedAt = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.Zero),
        HeadersJson = "{\"X-Gitlab-Event\":\"Job Hook\"}",
        Body = Encoding.UTF8.GetBytes(body),
    };

    [Theory]
    [InlineData(null, 401, "missing")]
    [InlineData("wrong", 401, "does not match")]
    [InlineData(WebhookToken, 400, "not JSON")]
    public void Verify_WrongOrMissingToken_401_MalformedJson_400(string? token, int status, string message)
    {
        using var forge = Forge();

        var verdict = forge.Verify(h => h == GitLabForge.TokenHeader ? token : null, "{\"object_kind\": "u8);

        Assert.Equal(status, verdict.Status);
        Assert.Contains(message, verdict.Problem, StringComparison.Ordinal);
        Assert.True(forge.Verify(h => h == GitLabForge.TokenHeader ? WebhookToken : null, "{}"u8).IsAccepted);
    }

    [SharedDataFact(Fixtures)]
    public void Fixture_JobHook_Success_IsACompletedEventWithRunnerScopeAndPipeline()
    {
        var hook = JobHookReader.Read(File.ReadAllBytes(SharedData.FilePath(Fixtures, "job.json")), "gitlab", "d1", DateTimeOffset.UnixEpoch)!;

        var e = hook.Event!;
        Assert.Equal(new JobKey("gitlab", "3580121225"), e.Key);
        Assert.Equal(JobEventKind.Completed, e.Kind);
        Assert.Equal(new DateTimeOffset(2023, 1, 10, 13, 50, 54, TimeSpan.Zero), e.At);
        Assert.Equal("jsmithy2/release-tools-fake", e.Scope);
        Assert.Equal("4-blue.shared.runners-manager.gitlab.com/default", e.RunnerName);
        Assert.Equal(743121198, e.RunId);
        Assert.Equal((31537070L, 3580121225L, "success"), (hook.ProjectId, hook.JobId, hook.Status));
    }

    [SharedDataFact(Fixtures)]
    public void Fixture_BuildHook_Created_IsNoDemandYet_AndPipelineHook_IsNotAJob()
    {
        var created = JobHookReader.Read(File.ReadAllBytes(SharedData.FilePath(Fixtures, "build.json")), "gitlab", "d2", DateTimeOffset.UnixEpoch)!;
        var pipeline = JobHookReader.Read(File.ReadAllBytes(SharedData.FilePath(Fixtures, "pipeline.json")), "gitlab", "d3", DateTimeOffset.UnixEpoch);

        Assert.Null(created.Event);
        Assert.Equal((380L, "created"), (created.ProjectId, created.Status));
        Assert.Null(pipeline);
    }

    [SharedDataFact(Fixtures)]
    public void Fixtures_TellTheRef_TagsAndMergeRequestPipelinesWithoutTheDefaultBranch()
    {
        // job.json: a job hook on main that deploys to production; whether main is the default branch the hook does not
        // say (the forge asks the project).
        var e = JobHookReader.Read(File.ReadAllBytes(SharedData.FilePath(Fixtures, "job.json")), "gitlab", "d1", DateTimeOffset.UnixEpoch)!.Event!;
        Assert.Equal(("main", (JobRefKind?)null, "production"), (e.Ref, e.RefKind, e.Environment));
        Assert.Equal(JobRefKind.DefaultBranch, JobHookReader.Classify(e.Ref, false, null, "main"));

        // build.json: ref gitlab-script-trigger, no tag: another branch once the project's default branch is known.
        using var build = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(SharedData.FilePath(Fixtures, "build.json")));
        Assert.Equal(JobRefKind.Branch, JobHookReader.Classify(JobHookReader.Text(build.RootElement, "ref"), JobHookReader.Bool(build.RootElement, "tag"), null, "master"));

        // pipeline.json: the pipeline of a merge request (source merge_request_event) on master is a merge request's, not the default branch's.
        using var pipeline = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(SharedData.FilePath(Fixtures, "pipeline.json")));
        var attributes = pipeline.RootElement.GetProperty("object_attributes");
        var defaultBranch = JobHookReader.Text(pipeline.RootElement.GetProperty("project"), "default_branch");
        Assert.Equal("master", defaultBranch);
        Assert.Equal(JobRefKind.PullRequest, JobHookReader.Classify(JobHookReader.Text(attributes, "ref"), JobHookReader.Bool(attributes, "tag"), JobHookReader.Text(attributes, "source"), defaultBranch));
    }

    [Fact]
    public void Hook_TagAndEnvironment_AreTold()
    {
        const string body = """{"object_kind":"build","build_id":7,"project_id":101,"build_status":"pending","ref":"v1.2.0","tag":true,"environment":{"name":"production","action":"start"}}""";

        var e = JobHookReader.Read(Encoding.UTF8.GetBytes(body), "gitlab", null, DateTimeOffset.UnixEpoch)!.Event!;

        Assert.Equal(("v1.2.0", (JobRefKind?)JobRefKind.Tag, "production"), (e.Ref, e.RefKind, e.Environment));
    }

    [Fact]
    public async Task PendingHooks_WithAPriorityClassOnTheDefaultBranch_TheProjectsDefaultBranchIsLookedUpOnce()
    {
        _priorityClasses = [new PriorityClassConfig { Name = "release", Match = [PriorityMatch.DefaultBranch] }];
        _api.Jobs.Add((7, 101, "pending", ["docker"], null));
        _api.Jobs.Add((8, 101, "pending", ["docker"], null));
        _api.Jobs.Add((9, 101, "pending", ["docker"], null));
        _api.JobRefs[9] = ("feature", false, "merge_request_event");
        using var forge = Forge();
        static string Hook(long id, string reference) =>
            $$"""{"object_kind":"build","build_id":{{id}},"project_id":101,"build_status":"pending","ref":"{{reference}}","tag":false}""";

        var onMain = Assert.Single(await forge.InterpretAsync(Delivery(Hook(7, "main"), "a"), CancellationToken.None));
        var onBranch = Assert.Single(await forge.InterpretAsync(Delivery(Hook(8, "feature"), "b"), CancellationToken.None));
        var mergeRequest = Assert.Single(await forge.InterpretAsync(Delivery(Hook(9, "feature"), "c"), CancellationToken.None));

        Assert.Equal(JobRefKind.DefaultBranch, onMain.RefKind);
        Assert.Equal(JobRefKind.Branch, onBranch.RefKind);
        Assert.Equal(JobRefKind.PullRequest, mergeRequest.RefKind);
        Assert.Single(_api.Requests, r => r == "GET projects/101");
    }

    [Fact]
    public async Task PendingHook_WithoutPriorityClasses_NoProjectLookUp_TheKindStaysUnknown()
    {
        _api.Jobs.Add((7, 101, "pending", ["docker"], null));
        using var forge = Forge();

        var e = Assert.Single(await forge.InterpretAsync(Delivery("""{"object_kind":"build","build_id":7,"project_id":101,"build_status":"pending","ref":"main"}""", "a"), CancellationToken.None));

        Assert.Equal(("main", (JobRefKind?)null), (e.Ref, e.RefKind));
        Assert.DoesNotContain(_api.Requests, r => r == "GET projects/101");
    }

    [Theory]
    [InlineData("pending", JobEventKind.Queued)]
    [InlineData("running", JobEventKind.Started)]
    [InlineData("failed", JobEventKind.Completed)]
    [InlineData("canceled", JobEventKind.Cancelled)]
    public void Statuses_MapIntoTheLedger(string status, JobEventKind kind)
    {
        var body = """{"object_kind":"build","build_id":7,"project_id":101,"build_status":"STATUS","build_created_at":"2026-11-24 10:00:00 UTC","build_started_at":"2026-11-24 10:00:05 UTC","build_finished_at":null,"runner":{"description":"drover-docker-3"},"repository":{"homepage":"https://gitlab.example.com/acme/api"}}"""
            .Replace("STATUS", status, StringComparison.Ordinal);

        var e = JobHookReader.Read(Encoding.UTF8.GetBytes(body), "gitlab", null, DateTimeOffset.UnixEpoch)!.Event!;

        Assert.Equal(kind, e.Kind);
        Assert.Equal("acme/api", e.Scope);
        Assert.Equal(kind is JobEventKind.Started or JobEventKind.Completed ? "drover-docker-3" : null, e.RunnerName);
    }

    [Fact]
    public async Task PendingHook_FetchesTheJobsTagsOnce_ThenFromTheCache()
    {
        _api.Jobs.Add((7, 101, "pending", ["docker", "linux"], null));
        using var forge = Forge();
        const string body = """{"object_kind":"build","build_id":7,"project_id":101,"build_status":"pending","build_created_at":"2026-11-24 10:00:00 UTC","repository":{"homepage":"https://gitlab.example.com/acme/api"}}""";

        var first = await forge.InterpretAsync(Delivery(body, "a"), CancellationToken.None);
        var second = await forge.InterpretAsync(Delivery(body, "b"), CancellationToken.None);

        Assert.Equal(["docker", "linux"], Assert.Single(first).Labels);
        Assert.Equal(["docker", "linux"], Assert.Single(second).Labels);
        Assert.Single(_api.Requests, r => r == "GET projects/101/jobs/7");
    }

    [Fact]
    public async Task FinishedJob_ItsCachedTagsAreDropped()
    {
        _api.Jobs.Add((7, 101, "pending", ["docker"], null));
        using var forge = Forge();
        const string pending = """{"object_kind":"build","build_id":7,"project_id":101,"build_status":"pending"}""";
        const string success = """{"object_kind":"build","build_id":7,"project_id":101,"build_status":"success","runner":{"description":"drover-docker-0"}}""";

        await forge.InterpretAsync(Delivery(pending, "a"), CancellationToken.None);
        await forge.InterpretAsync(Delivery(success, "b"), CancellationToken.None);
        await forge.InterpretAsync(Delivery(pending, "c"), CancellationToken.None);

        Assert.Equal(2, _api.Requests.Count(r => r == "GET projects/101/jobs/7"));
    }

    [Fact]
    public async Task PendingHook_TagsCannotBeFetched_NoEvent_ThePollerBringsTheJob()
    {
        using var forge = Forge();
        const string body = """{"object_kind":"build","build_id":99,"project_id":101,"build_status":"pending"}""";

        Assert.Empty(await forge.InterpretAsync(Delivery(body), CancellationToken.None));
    }

    [Fact]
    public async Task Mint_CreatesAGroupRunnerWithThePoolsTags_ListedByDescription_DeletedWhenIdle_NeverUnderAJob()
    {
        using var forge = Forge();

        var credential = await forge.MintRunnerCredentialAsync("docker", "drover-docker-0", CancellationToken.None);
        var second = await forge.MintRunnerCredentialAsync("docker", "drover-docker-1", CancellationToken.None);
        _api.Runners[1] = new System.Text.Json.Nodes.JsonObject { ["id"] = 1L, ["description"] = "someone-elses", ["group_id"] = 10L, ["status"] = "online" };

        Assert.Equal("runner-token", credential.Kind);
        Assert.StartsWith("glrt-", credential.Reveal(), StringComparison.Ordinal);
        Assert.DoesNotContain("glrt-", credential.ToString(), StringComparison.Ordinal);
        var runner = _api.Runners.Values.Single(r => (string?)r["description"] == "drover-docker-0");
        Assert.Equal(("group_type", 10L, "docker", false), ((string?)runner["runner_type"], (long?)runner["group_id"], (string?)runner["tag_list"], (bool?)runner["run_untagged"]));
        var listed = await forge.ListRunnersAsync(CancellationToken.None);
        Assert.Equal(["drover-docker-0", "drover-docker-1"], listed.Select(r => r.Name).Order());
        Assert.All(listed, r => Assert.False(r.Online));

        _api.Jobs.Add((8, 101, "running", ["docker"], "drover-docker-1"));
        var busyId = listed.Single(r => r.Name == "drover-docker-1").Id;
        await Assert.ThrowsAsync<GitLabRunnerBusyException>(() => forge.UnregisterAsync(busyId, CancellationToken.None));
        await forge.UnregisterAsync(listed.Single(r => r.Name == "drover-docker-0").Id, CancellationToken.None);
        await forge.UnregisterAsync("424242", CancellationToken.None);

        Assert.Equal(["drover-docker-1"], (await forge.ListRunnersAsync(CancellationToken.None)).Select(r => r.Name));
    }

    [Fact]
    public async Task Poller_WalksTheGroupsProjectsAndPages_PendingAndRunningJobsWithTags()
    {
        _api.Jobs.AddRange([(1, 101, "pending", ["docker"], null), (2, 101, "pending", [], null), (3, 101, "pending", ["docker", "gpu"], null), (4, 102, "running", ["docker"], "drover-docker-9"), (5, 102, "success", ["docker"], null)]);
        using var forge = Forge();
        var events = new List<JobEvent>();

        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        Assert.Equal(["1", "2", "3", "4"], events.Select(e => e.Key.Id).Order());
        Assert.Equal(["docker", "gpu"], events.Single(e => e.Key.Id == "3").Labels);
        Assert.Empty(events.Single(e => e.Key.Id == "2").Labels);
        var running = events.Single(e => e.Key.Id == "4");
        Assert.Equal((JobEventKind.Started, "drover-docker-9", "acme/web"), (running.Kind, running.RunnerName, running.Scope));
        Assert.Contains(_api.Requests, r => r == "GET groups/acme/projects");
        Assert.True(_api.Requests.Count(r => r == "GET projects/101/jobs") >= 2, "the project's jobs span two pages");
    }

    [Fact]
    public async Task Poller_WithAPriorityClassOnTheDefaultBranch_TellsEachJobsRefKind_OneProjectLookUpPerProject()
    {
        _priorityClasses = [new PriorityClassConfig { Name = "release", Match = [PriorityMatch.DefaultBranch, PriorityMatch.Tags] }];
        _api.Jobs.AddRange([(1, 101, "pending", ["docker"], null), (2, 101, "pending", ["docker"], null), (3, 101, "pending", ["docker"], null), (4, 101, "pending", ["docker"], null)]);
        _api.JobRefs[2] = ("feature", false, "push");
        _api.JobRefs[3] = ("v2.0.0", true, "push");
        _api.JobRefs[4] = ("refs/merge-requests/12/head", false, "merge_request_event");
        using var forge = Forge();
        var events = new List<JobEvent>();

        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);
        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        var kinds = events.GroupBy(e => e.Key.Id).ToDictionary(g => g.Key, g => g.Select(e => e.RefKind).Distinct().Single());
        Assert.Equal(JobRefKind.DefaultBranch, kinds["1"]);
        Assert.Equal(JobRefKind.Branch, kinds["2"]);
        Assert.Equal(JobRefKind.Tag, kinds["3"]);
        Assert.Equal(JobRefKind.PullRequest, kinds["4"]);
        Assert.Single(_api.Requests, r => r.StartsWith("GET projects/", StringComparison.Ordinal) && !r.Contains("/jobs", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Poller_UnreadableJobRecord_IsSkippedAndCounted_TheOtherJobsAreStillReported()
    {
        _api.Jobs.AddRange([(1, 101, "pending", ["docker"], null), (2, 101, "pending", ["docker"], null), (3, 101, "pending", ["docker"], null)]);
        _api.UnreadableJobs.Add(2);
        var metrics = new CountingMetrics();
        using var forge = Forge(metrics);
        var events = new List<JobEvent>();

        await forge.Poller.PollOnceAsync(events.Add, CancellationToken.None);

        Assert.Equal(["1", "3"], events.Select(e => e.Key.Id).Order());
        Assert.Equal(["gitlab"], metrics.Skipped);
    }

    [Fact]
    public async Task Poller_UnreadableJobRecord_DoesNotEndThePollingLoop()
    {
        _api.Jobs.AddRange([(1, 101, "pending", ["docker"], null), (2, 101, "pending", ["docker"], null)]);
        _api.UnreadableJobs.Add(1);
        using var forge = Forge(options: o => o with { PollInterval = TimeSpan.FromMilliseconds(50) });
        var events = new System.Collections.Concurrent.ConcurrentQueue<JobEvent>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var loop = forge.Poller.RunAsync(events.Enqueue, stop.Token);

        await Drover.Testing.Eventually.ThatAsync(() => _api.Requests.Count(r => r == "GET projects/101/jobs"), n => n >= 3, "three rounds polled");
        await Drover.Testing.Eventually.ThatAsync(() => events.ToArray(), e => e.Any(x => x.Key.Id == "2"), "the readable job reported by the running poll");
        Assert.False(loop.IsCompleted, "the polling loop ended");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loop);
        Assert.DoesNotContain(events, e => e.Key.Id == "1");
    }

    [Fact]
    public async Task TooManyRequests_IsWaitedOutOncePerRetryAfter()
    {
        using var forge = Forge();
        _api.TooManyRequests = 1;

        var started = DateTime.UtcNow;
        await forge.MintRunnerCredentialAsync("docker", "drover-docker-0", CancellationToken.None);

        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(900), "waited for Retry-After: 1");
        Assert.Single(_api.Runners);
    }

    [Fact]
    public async Task TooManyRequests_Twice_FailsRateLimitedWithTheTimeGitLabNamed()
    {
        using var forge = Forge();
        _api.TooManyRequests = 2;

        var refused = await Assert.ThrowsAsync<GitLabApiException>(() => forge.MintRunnerCredentialAsync("docker", "drover-docker-0", CancellationToken.None));

        var (kind, retryAt) = Core.Adapters.CallFailures.Classify(refused);
        Assert.Equal(Core.Adapters.CallFailureKind.RateLimited, kind);
        Assert.NotNull(retryAt);
        Assert.Empty(_api.Runners);
    }

    [Fact]
    public async Task Budget_PerMinute_IsKept_AndAnOverlongWaitFailsUnsentAsARateLimit()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var budget = new RequestBudget(time, perMinute: 2, maxWait: TimeSpan.FromSeconds(10));

        await budget.TakeAsync(CancellationToken.None);
        await budget.TakeAsync(CancellationToken.None);
        var refused = await Assert.ThrowsAsync<Core.Adapters.CallPacedException>(() => budget.TakeAsync(CancellationToken.None));

        Assert.Contains("budget of 2 ", refused.Message, StringComparison.Ordinal);
        Assert.Equal(Core.Adapters.CallFailureKind.RateLimited, Core.Adapters.CallFailures.Classify(refused).Kind);
        Assert.Equal(DateTimeOffset.UnixEpoch.AddMinutes(1), refused.Until);
        time.Advance(TimeSpan.FromMinutes(1));
        await budget.TakeAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task TracePull_Group_FinishedJobsWithTagsQueueTimeAndProject_NeverStartedLeftOut()
    {
        _api.Jobs.AddRange([(1, 101, "success", ["docker"], "r1"), (2, 102, "failed", [], "r2"), (3, 101, "canceled", ["docker"], null), (4, 101, "pending", ["docker"], null)]);
        using var forge = Forge();
        var reports = new List<Core.Traces.TracePullProgress>();

        var trace = await new Traces.GitLabTracePuller(forge.Client).PullAsync(new PoolScope(ScopeKind.Group, "acme"), null, new SyncProgress(reports.Add), CancellationToken.None);

        Assert.Equal(2, trace.Count);
        var docker = trace.Jobs.Single(j => j.Scope == "acme/api");
        Assert.Equal(TimeSpan.FromSeconds(30), docker.QueueTime);
        Assert.Equal(120, docker.DurationSeconds);
        Assert.Equal("docker", docker.Labels.ToString());
        Assert.Equal("acme/web", trace.Jobs.Single(j => j.Scope != "acme/api").Scope);
        Assert.Contains(trace.Notes, n => n.Contains("left out: 1 job(s)", StringComparison.Ordinal));
        Assert.Equal((2, 2), (reports[^1].RunsDone, reports[^1].RunsTotal));
    }

    [Fact]
    public async Task Mint_ProtectedPool_CreatesARefProtectedLockedProjectRunner()
    {
        var pool = Pool("release", new PoolScope(ScopeKind.Project, "acme/api"), ["deploy"], runUntagged: false) with
        {
            ForgeSettings = new GitLabPoolSettings("ref_protected"),
        };
        using var forge = Forge(pool);

        await forge.MintRunnerCredentialAsync("release", "drover-release-0", CancellationToken.None);

        Assert.Contains(_api.Requests, r => r == "GET projects/acme/api");
        var body = _api.LastRunnerBody!;
        Assert.Equal(("project_type", 101L, "ref_protected", true), ((string?)body["runner_type"], (long?)body["project_id"], (string?)body["access_level"], (bool?)body["locked"]));
    }

    private sealed class SyncProgress(Action<Core.Traces.TracePullProgress> report) : IProgress<Core.Traces.TracePullProgress>
    {
        public void Report(Core.Traces.TracePullProgress value) => report(value);
    }

    /// <summary>Notes the skipped poll records an adapter counts.</summary>
    private sealed class CountingMetrics : IAdapterMetrics
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Skipped { get; } = new();

        public void ObserveForgeRateLimit(string forge, Func<long?> remaining)
        {
        }

        public void PollRecordSkipped(string forge) => Skipped.Enqueue(forge);
    }
}
