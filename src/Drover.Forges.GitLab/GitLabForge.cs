using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Forges.GitLab.Api;
using Drover.Forges.GitLab.Polling;
using Drover.Forges.GitLab.Webhooks;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitLab;

/// <summary>
/// A GitLab (gitlab.com or self-managed) forge: verifies <c>Job Hook</c> deliveries by <c>X-Gitlab-Token</c>, reads them
/// into job events with the job's tags fetched from the API, creates one runner per runner Drover starts
/// (<c>POST /user/runners</c>, its <c>glrt-</c> token is the credential), lists and deletes the runners this controller
/// owns (descriptions starting with the controller id), polls pending jobs, and retries jobs lost with their runner's
/// instance (docs/forges/gitlab.md).
/// </summary>
internal sealed class GitLabForge : IForge, IWebhookReceiver, IDemandSource, IHealthReporting, IJobRerun, IDisposable
{
    /// <summary>
    /// The pool template setting for the runners' access level: <c>ref_protected</c> runners take only jobs of protected
    /// branches and tags (GitLab enforces it when it hands out jobs); <c>not_protected</c> is GitLab's default.
    /// </summary>
    public const string AccessLevelSetting = "gitlabAccessLevel";

    /// <summary>The most jobs whose tags (or runners) are cached; past it the cache starts afresh.</summary>
    internal const int MaxCachedJobs = 50_000;

    /// <summary>The header carrying the webhook's secret token.</summary>
    public const string TokenHeader = "X-Gitlab-Token";

    private readonly ForgeConfig _config;
    private readonly Func<FleetConfig> _fleet;
    private readonly GitLabForgeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly byte[]? _webhookTokenHash;
    private readonly ConcurrentDictionary<long, IReadOnlyList<string>> _tags = new();
    private readonly ConcurrentDictionary<string, string> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _ids = new(StringComparer.Ordinal);

    internal GitLabForge(ForgeConfig config, Func<FleetConfig> fleet, GitLabForgeOptions options, TimeProvider time, ILogger logger, IAdapterMetrics? metrics = null)
    {
        _config = config;
        _fleet = fleet;
        _options = options;
        _time = time;
        _logger = logger;
        var secrets = new SecretResolver(options.Environment);
        if (config.WebhookSecret is { } secret)
        {
            _webhookTokenHash = SHA256.HashData(Encoding.UTF8.GetBytes(secrets.Resolve(secret, $"forge '{config.Name}' webhookSecret")));
        }

        var token = config.Auth.Token ?? throw new InvalidOperationException($"forge '{config.Name}': auth.token (a GitLab access token with create_runner and manage_runner) is required");
        Client = new GitLabApiClient(
            config.Url,
            () => secrets.Resolve(token, $"forge '{config.Name}' auth.token"),
            new RequestBudget(time, options.RequestsPerMinute, options.RequestWindow, options.MaxRateLimitWait),
            options.Handler,
            options.RequestTimeout,
            new HealthRecorder(time));
        DefaultBranches = new ProjectDefaultBranches(Client, config.Name, logger);
        Poller = new PendingJobPoller(Client, config.Name, () => [.. Pools.Select(p => p.Scope)], options.PollInterval, time, logger, (id, tags) => _tags[id] = tags)
        {
            DefaultBranchOf = (project, cancellationToken) => NeedsDefaultBranch() ? DefaultBranches.OfAsync(project, cancellationToken) : Task.FromResult<string?>(null),
            Backoff = new PollBackoff(options.PollInterval, options.Random ?? new Random(RandomNumberGenerator.GetInt32(int.MaxValue))),
            Metrics = metrics,
        };
    }

    /// <inheritdoc/>
    public string Name => _config.Name;

    /// <summary>The projects' default branches, looked up for priority classes that match on them.</summary>
    internal ProjectDefaultBranches DefaultBranches { get; }

    /// <summary>The API client (budget, request count).</summary>
    public GitLabApiClient Client { get; }

    /// <summary>The pending-job poller <see cref="RunAsync"/> runs.</summary>
    public PendingJobPoller Poller { get; }

    /// <summary>The pools that take this forge's jobs, in the configuration in force now.</summary>
    public IReadOnlyList<PoolConfig> Pools => [.. _fleet().Pools.Where(p => p.Forge == _config.Name)];

    /// <inheritdoc/>
    public async Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(runnerName);
        var config = Pools.FirstOrDefault(p => p.Name == pool)
            ?? throw new InvalidOperationException($"pool '{pool}' is not a pool of GitLab forge '{Name}'");
        var body = new Dictionary<string, object>
        {
            ["description"] = runnerName,
            ["tag_list"] = string.Join(',', config.Tags),
            ["run_untagged"] = config.RunUntagged,
            ["locked"] = config.Scope.Kind == ScopeKind.Project,
        };
        if (config.ForgeSettings is GitLabPoolSettings { AccessLevel: { } level })
        {
            body["access_level"] = level;
        }
        else if (config.Template.Settings.TryGetValue(AccessLevelSetting, out var accessLevel))
        {
            body["access_level"] = accessLevel is "not_protected" or "ref_protected"
                ? accessLevel
                : throw new InvalidOperationException($"pool '{pool}': template.settings.{AccessLevelSetting} '{accessLevel}' is not not_protected or ref_protected");
        }

        switch (config.Scope.Kind)
        {
            case ScopeKind.Group:
                body["runner_type"] = "group_type";
                body["group_id"] = await IdAsync("groups", config.Scope.Path, cancellationToken).ConfigureAwait(false);
                break;
            case ScopeKind.Project:
                body["runner_type"] = "project_type";
                body["project_id"] = await IdAsync("projects", config.Scope.Path, cancellationToken).ConfigureAwait(false);
                break;
            default:
                body["runner_type"] = "instance_type";
                break;
        }

        var created = await Client.PostAsync("user/runners", body, cancellationToken).ConfigureAwait(false);
        if (created.ValueKind != JsonValueKind.Object || JobHookReader.Text(created, "token") is not { Length: > 0 } runnerToken)
        {
            throw new GitLabApiException(System.Net.HttpStatusCode.OK, "POST /user/runners: the answer lacks 'token'");
        }

        return new RunnerCredential("runner-token", runnerToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        var prefix = _fleet().ControllerId + "-";
        var now = _time.GetUtcNow();
        var result = new List<ForgeRunner>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in Pools.Select(p => RunnersPath(p.Scope)).Distinct(StringComparer.Ordinal))
        {
            foreach (var runner in await Client.GetAllPagesAsync(path, cancellationToken).ConfigureAwait(false))
            {
                var description = JobHookReader.Text(runner, "description");
                if (description is null || !description.StartsWith(prefix, StringComparison.Ordinal) || !JobHookReader.Long(runner, "id", out var id))
                {
                    continue;
                }

                var key = id.ToString(CultureInfo.InvariantCulture);
                if (!seen.Add(key))
                {
                    continue;
                }

                result.Add(new ForgeRunner
                {
                    Forge = Name,
                    Id = key,
                    Name = description,
                    Online = JobHookReader.Text(runner, "status") == "online",
                    Busy = _running.ContainsKey(description),
                    FirstSeenAt = now,
                });
            }
        }

        return result;
    }

    /// <inheritdoc/>
    /// <exception cref="GitLabRunnerBusyException">The runner has a running job; it is never removed under one.</exception>
    public async Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(forgeRunnerId);
        if (!long.TryParse(forgeRunnerId, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            throw new ArgumentException($"GitLab runner id '{forgeRunnerId}' is not a number", nameof(forgeRunnerId));
        }

        try
        {
            var running = await Client.GetAsync($"runners/{forgeRunnerId}/jobs?status=running&per_page=1", cancellationToken).ConfigureAwait(false);
            if (running.ValueKind == JsonValueKind.Array && running.GetArrayLength() > 0)
            {
                GitLabLog.RunnerBusy(_logger, Name, forgeRunnerId);
                throw new GitLabRunnerBusyException(forgeRunnerId);
            }
        }
        catch (GitLabApiException e) when (e.Status == System.Net.HttpStatusCode.NotFound)
        {
            return;
        }

        await Client.DeleteAsync($"runners/{forgeRunnerId}", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// <c>POST /projects/:id/jobs/:job_id/retry</c> creates a new job (a new id) in the same pipeline. GitLab retries only
    /// a job that has ended, and drops a job whose runner stopped answering only after its timeout (up to the project's
    /// job timeout): a job GitLab still shows running on the very runner whose instance was lost is cancelled first
    /// (<c>POST /projects/:id/jobs/:job_id/cancel</c>; nothing can run it any more), then retried. A job running on another
    /// runner, or still pending, is "not yet". A pipeline whose latest job of that name is newer than the lost one was already retried (an earlier call
    /// whose answer was lost, or someone else): that job is the answer, and no second retry is made.
    /// </remarks>
    public async Task<JobRerunAnswer> RerunJobAsync(JobRerun rerun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        if (rerun.Scope is not { Length: > 0 } path || !long.TryParse(rerun.Job.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var oldId))
        {
            throw new GitLabApiException(System.Net.HttpStatusCode.UnprocessableEntity, $"job {rerun.Job}: the project or a numeric job id is not known, so it cannot be retried");
        }

        var project = Uri.EscapeDataString(path);
        var job = await Client.GetAsync($"projects/{project}/jobs/{oldId}", cancellationToken).ConfigureAwait(false);
        var status = job.TryGetProperty("status", out var st) ? st.GetString() : null;
        if (status == "running" && RunsOn(job, rerun.RunnerId))
        {
            // Its runner's instance is gone: GitLab would wait out the job's timeout before it dropped the job.
            var canceled = await Client.PostAsync($"projects/{project}/jobs/{oldId}/cancel", new Dictionary<string, object>(), cancellationToken).ConfigureAwait(false);
            status = canceled.ValueKind == JsonValueKind.Object && canceled.TryGetProperty("status", out var after) ? after.GetString() : status;
        }

        if (status is not ("failed" or "canceled" or "success"))
        {
            return JobRerunAnswer.NotYet($"the job is still {status ?? "unknown"} at GitLab; it is retried once GitLab ends it");
        }

        if (status == "success")
        {
            // The job ended well before its instance went: nothing was lost, and retrying it could repeat a deployment.
            throw new GitLabApiException(System.Net.HttpStatusCode.UnprocessableEntity, $"job {oldId} succeeded at GitLab, so it is not retried");
        }

        var name = job.TryGetProperty("name", out var n) ? n.GetString() : null;
        var pipeline = job.TryGetProperty("pipeline", out var p) && p.ValueKind == JsonValueKind.Object && p.TryGetProperty("id", out var pid) && pid.TryGetInt64(out var pipelineId)
            ? pipelineId
            : rerun.RunId;
        if (name is not null && pipeline is { } inPipeline)
        {
            // Without include_retried, a pipeline lists the latest job of each name.
            var latest = await Client.GetAllPagesAsync($"projects/{project}/pipelines/{inPipeline}/jobs?per_page=100", cancellationToken).ConfigureAwait(false);
            var newer = latest
                .Where(j => j.TryGetProperty("name", out var jn) && jn.GetString() == name && j.TryGetProperty("id", out var ji) && ji.TryGetInt64(out var other) && other > oldId)
                .Select(j => j.GetProperty("id").GetInt64())
                .FirstOrDefault();
            if (newer > 0)
            {
                return JobRerunAnswer.Queued(newer.ToString(CultureInfo.InvariantCulture), $"pipeline {inPipeline} already retried the job");
            }
        }

        var created = await Client.PostAsync($"projects/{project}/jobs/{oldId}/retry", new Dictionary<string, object>(), cancellationToken).ConfigureAwait(false);
        var newId = created.ValueKind == JsonValueKind.Object && created.TryGetProperty("id", out var id) && id.TryGetInt64(out var value)
            ? value.ToString(CultureInfo.InvariantCulture)
            : null;
        return JobRerunAnswer.Queued(newId, $"retried in pipeline {pipeline?.ToString(CultureInfo.InvariantCulture) ?? "unknown"}");
    }

    /// <summary>Whether GitLab's <paramref name="job"/> runs on the runner named (described) <paramref name="runnerName"/>.</summary>
    private static bool RunsOn(JsonElement job, string runnerName) =>
        job.TryGetProperty("runner", out var runner) && runner.ValueKind == JsonValueKind.Object
        && runner.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String
        && description.GetString() == runnerName;

    /// <inheritdoc/>
    public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(header);
        if (_webhookTokenHash is null)
        {
            return WebhookVerdict.Unauthorized($"forge '{Name}' has no webhookSecret configured; its webhooks are refused (it runs on polling)");
        }

        var given = header(TokenHeader);
        if (string.IsNullOrEmpty(given))
        {
            return WebhookVerdict.Unauthorized($"header {TokenHeader}: missing");
        }

        // Hashes of equal length, compared in constant time: neither the token nor its length leaks through timing.
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), _webhookTokenHash))
        {
            return WebhookVerdict.Unauthorized($"header {TokenHeader}: does not match the forge's webhookSecret");
        }

        return WebhookVerdict.AcceptedIfJson(body);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var hook = JobHookReader.Read(delivery.Body.Span, Name, delivery.DeliveryId, delivery.ReceivedAt);
        if (hook?.Event is not { } e)
        {
            return [];
        }

        Track(e);
        if (e.Kind != JobEventKind.Queued)
        {
            return [e];
        }

        if (e.RefKind is null && e.Ref is not null && NeedsDefaultBranch())
        {
            // The hook names the ref; whether it is the default branch takes the project's (looked up once per project).
            var defaultBranch = await DefaultBranches.OfAsync(hook.ProjectId.ToString(CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
            e = e with { RefKind = JobHookReader.Classify(e.Ref, false, null, defaultBranch) };
        }

        if (!_tags.TryGetValue(hook.JobId, out var tags))
        {
            try
            {
                var job = await Client.GetAsync($"projects/{hook.ProjectId}/jobs/{hook.JobId}", cancellationToken).ConfigureAwait(false);
                tags = JobHookReader.Tags(job);
                if (JobHookReader.ClassifyRecord(job, null) == JobRefKind.PullRequest)
                {
                    // The record names the pipeline's source: a merge request pipeline on a branch ref.
                    e = e with { RefKind = JobRefKind.PullRequest };
                }

                _tags[hook.JobId] = tags;
            }
            catch (Exception ex) when (ex is GitLabApiException or HttpRequestException or TimeoutException)
            {
                // Matching without the tags could hand the job to the wrong pool; the poller brings it with its tags.
                GitLabLog.TagsFailed(_logger, Name, hook.JobId, ex.Message);
                return [];
            }
        }

        return [e with { Labels = tags }];
    }

    /// <summary>
    /// True when a priority class matches on whether a job runs on the default branch (<c>default-branch</c> or
    /// <c>branches</c>): only then are projects' default branches looked up.
    /// </summary>
    private bool NeedsDefaultBranch() =>
        _fleet().PriorityClasses.Any(c => c.Match.Any(m => m is PriorityMatch.DefaultBranch or PriorityMatch.Branches));

    /// <summary>Without <c>X-Gitlab-Event-UUID</c> or <c>Idempotency-Key</c>: <c>job-ID-STATUS</c> of a job hook, so a repeat is stored once.</summary>
    public string? DeliveryIdFromBody(ReadOnlySpan<byte> body)
    {
        try
        {
            return JobHookReader.Read(body, Name, null, DateTimeOffset.UnixEpoch) is { } hook
                ? string.Create(CultureInfo.InvariantCulture, $"job-{hook.JobId}-{hook.Status}")
                : null;
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken) =>
        _options.Polling && Pools.Count > 0 ? Poller.RunAsync(e => { Track(e); sink(e); }, cancellationToken) : Task.CompletedTask;

    /// <inheritdoc/>
    /// <remarks>
    /// From the API calls this forge made (the engine's, the poller's, webhook tag fetches): last success, last error,
    /// and the <c>RateLimit-Remaining</c> GitLab last reported.
    /// </remarks>
    public ComponentHealth Health()
    {
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["polling"] = !_options.Polling || Pools.Count == 0 ? "off"
                : Poller.Backoff.FailingSince is { } since ? string.Create(CultureInfo.InvariantCulture, $"failing since {since:O} ({Poller.Backoff.Failures} rounds)")
                : "on",
        };
        if (Client.Budget.Remaining is { } remaining)
        {
            details["rateLimitRemaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        }

        var health = Client.Health!.Health("forge", Name, details);
        return Client.Budget.BlockedUntil is { } until && !HealthRecorder.IsUnchecked(health)
            ? HealthRecorder.AtLeast(health, ComponentStatus.Degraded, string.Create(CultureInfo.InvariantCulture, $"rate limited: GitLab asked for no requests until {until:HH:mm:ss}Z"))
            : health;
    }

    /// <inheritdoc/>
    public void Dispose() => Client.Dispose();

    /// <summary>
    /// Which of this forge's runners run a job now, from hooks and polls (GitLab's runner list does not say); a finished
    /// job's cached tags are dropped, and the caches are bounded for polling-only set-ups that never see a job finish.
    /// </summary>
    private void Track(JobEvent e)
    {
        if (e.Kind is JobEventKind.Completed or JobEventKind.Cancelled && long.TryParse(e.Key.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
        {
            _tags.TryRemove(jobId, out _);
        }

        if (_tags.Count > MaxCachedJobs)
        {
            _tags.Clear();
        }

        if (_running.Count > MaxCachedJobs)
        {
            _running.Clear();
        }

        if (e.RunnerName is not { } runner)
        {
            return;
        }

        if (e.Kind == JobEventKind.Started)
        {
            _running[runner] = e.Key.Id;
        }
        else
        {
            _running.TryRemove(runner, out _);
        }
    }

    private static string RunnersPath(PoolScope scope) => scope.Kind switch
    {
        ScopeKind.Group => $"groups/{Uri.EscapeDataString(scope.Path)}/runners?type=group_type",
        ScopeKind.Project => $"projects/{Uri.EscapeDataString(scope.Path)}/runners?type=project_type",
        _ => "runners/all?type=instance_type",
    };

    /// <summary>The numeric id of a group or project given by id or path (paths resolved once).</summary>
    private async Task<long> IdAsync(string kind, string pathOrId, CancellationToken cancellationToken)
    {
        if (long.TryParse(pathOrId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return id;
        }

        var key = kind + "/" + pathOrId;
        if (_ids.TryGetValue(key, out id))
        {
            return id;
        }

        var found = await Client.GetAsync($"{kind}/{Uri.EscapeDataString(pathOrId)}", cancellationToken).ConfigureAwait(false);
        id = JobHookReader.Long(found, "id", out var value) ? value : throw new GitLabApiException(System.Net.HttpStatusCode.OK, $"GET /{kind}/{pathOrId}: the answer lacks 'id'");
        _ids[key] = id;
        return id;
    }
}
