using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Forges.GitLab.Api;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitLab.Polling;

/// <summary>
/// Finds pending and running jobs of the configured projects and groups: a group's projects are walked with
/// <c>GET /groups/:id/projects?include_subgroups=true</c>, then each project's <c>GET /projects/:id/jobs?scope[]=pending&amp;scope[]=running</c>,
/// every list paginated. All requests go through the client's budget, so a large group never exceeds the configured
/// request rate; a round that runs out of budget continues in the next. Polling alone is enough (no ingress needed).
/// A job (or project) record that cannot be read is skipped, logged once and counted
/// (<c>drover_forge_poll_records_skipped_total</c>); the rest of the answer is used, and nothing in an answer stops
/// the polling loop: a round that fails unexpectedly is retried with the backoff like a failing one.
/// </summary>
internal sealed class PendingJobPoller
{
    private readonly GitLabApiClient _client;
    private readonly string _forge;
    private readonly Func<IReadOnlyList<PoolScope>> _scopes;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Action<long, IReadOnlyList<string>> _tags;
    private readonly HashSet<string> _failingScopes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _skippedRecords = new(StringComparer.Ordinal);

    /// <summary>How many distinct unreadable records are remembered so that each is logged once.</summary>
    private const int SkippedRecordMemory = 10_000;

    /// <summary>Time between polls (<c>forges[].pollInterval</c>, or the adapter's default).</summary>
    public TimeSpan Interval => _interval;

    /// <param name="client">The API client.</param>
    /// <param name="forge">The forge's name (job keys).</param>
    /// <param name="scopes">The scopes to poll, read each round (reloads included).</param>
    /// <param name="interval">Time between rounds.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="tags">Told each job's tags (the forge's tag cache for webhooks).</param>
    public PendingJobPoller(GitLabApiClient client, string forge, Func<IReadOnlyList<PoolScope>> scopes, TimeSpan interval, TimeProvider time, ILogger logger, Action<long, IReadOnlyList<string>> tags)
    {
        _client = client;
        _forge = forge;
        _scopes = scopes;
        _interval = interval;
        _time = time;
        _logger = logger;
        _tags = tags;
        Backoff = new PollBackoff(interval, new Random(RandomNumberGenerator.GetInt32(int.MaxValue)));
    }

    /// <summary>
    /// The wait between rounds: the interval while rounds succeed, an exponential backoff with jitter while every scope
    /// fails (see <see cref="PollBackoff"/>). Set once, before <see cref="RunAsync"/>.
    /// </summary>
    public PollBackoff Backoff { get; init; }

    /// <summary>Where skipped records are counted; none when null.</summary>
    public IAdapterMetrics? Metrics { get; init; }

    /// <summary>
    /// Polls until cancelled: every interval while rounds work; a round in which every scope failed is retried with
    /// <see cref="Backoff"/>. The start and the end of a run of failed rounds are logged once each, not every attempt.
    /// </summary>
    public async Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            string? failure;
            try
            {
                failure = await PollRoundAsync(sink, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // Nothing an answer holds may end the polling: an unexpected failure is a failed round.
                failure = $"{e.GetType().Name}: {e.Message}";
            }

            if (failure is not null)
            {
                var (backoff, started) = Backoff.Failed(_time.GetUtcNow());
                if (started)
                {
                    GitLabLog.PollFailing(_logger, _forge, failure, backoff);
                }

                wait = backoff;
            }
            else
            {
                var (interval, recovered) = Backoff.Succeeded();
                if (recovered is { } run)
                {
                    GitLabLog.PollRecovered(_logger, _forge, run.Rounds, run.Since);
                }

                wait = interval;
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One round over every scope; a failing scope is logged (when it starts failing) and skipped.</summary>
    public Task PollOnceAsync(Action<JobEvent> sink, CancellationToken cancellationToken) => PollRoundAsync(sink, cancellationToken);

    /// <summary>One round; the first failure when every scope failed, else null.</summary>
    private async Task<string?> PollRoundAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var projects = new HashSet<string>(StringComparer.Ordinal);
        var scopes = _scopes().Distinct().ToList();
        string? firstFailure = null;
        var failed = 0;
        foreach (var scope in scopes)
        {
            try
            {
                foreach (var project in await ProjectsAsync(scope, cancellationToken).ConfigureAwait(false))
                {
                    if (projects.Add(project))
                    {
                        await PollProjectAsync(project, sink, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (_failingScopes.Remove(scope.ToString()))
                {
                    GitLabLog.ScopeRecovered(_logger, _forge, scope.ToString());
                }
            }
            catch (Exception e) when (e is GitLabApiException or HttpRequestException or TimeoutException or JsonException
                || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failed++;
                var reason = e is HttpRequestException or TaskCanceledException ? $"{e.GetType().Name}: {e.Message}" : e.Message;
                firstFailure ??= $"{scope}: {reason}";
                if (_failingScopes.Add(scope.ToString()))
                {
                    GitLabLog.PollFailed(_logger, _forge, scope.ToString(), reason);
                }
            }
        }

        return failed > 0 && failed == scopes.Count ? firstFailure : null;
    }

    private async Task<IReadOnlyList<string>> ProjectsAsync(PoolScope scope, CancellationToken cancellationToken)
    {
        switch (scope.Kind)
        {
            case ScopeKind.Project:
                return [Uri.EscapeDataString(scope.Path)];
            case ScopeKind.Group:
                var projects = await _client.GetAllPagesAsync($"groups/{Uri.EscapeDataString(scope.Path)}/projects?include_subgroups=true&simple=true&archived=false", cancellationToken).ConfigureAwait(false);
                var ids = new List<string>(projects.Count);
                foreach (var project in projects)
                {
                    if (project.ValueKind == JsonValueKind.Object && Webhooks.JobHookReader.Long(project, "id", out var id))
                    {
                        ids.Add(id.ToString(CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        Skipped($"group {scope.Path}", "a project without a numeric id");
                    }
                }

                return ids;
            default:
                // Instance runners take every project's jobs; there is no instance-wide pending-jobs list for non-admins.
                return [];
        }
    }

    /// <summary>
    /// The default branch of a project (an id or a URL-escaped path), to tell a job on it; null when unknown or not
    /// needed (no priority class matches on it). None by default.
    /// </summary>
    public Func<string, CancellationToken, Task<string?>> DefaultBranchOf { get; init; } = static (_, _) => Task.FromResult<string?>(null);

    private async Task PollProjectAsync(string project, Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        string? defaultBranch = null;
        var defaultBranchAsked = false;
        var jobs = await _client.GetAllPagesAsync($"projects/{project}/jobs?scope[]=pending&scope[]=running", cancellationToken).ConfigureAwait(false);
        foreach (var job in jobs)
        {
            JobEvent? e;
            IReadOnlyList<string> tags;
            try
            {
                (e, tags) = Read(job);
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
            {
                Skipped($"project {Uri.UnescapeDataString(project)}", ex.Message);
                continue;
            }

            if (e is null)
            {
                Skipped($"project {Uri.UnescapeDataString(project)}", "a job without a numeric id");
                continue;
            }

            if (e.RefKind is null && e.Ref is not null)
            {
                if (!defaultBranchAsked)
                {
                    defaultBranch = await DefaultBranchOf(project, cancellationToken).ConfigureAwait(false);
                    defaultBranchAsked = true;
                }

                e = e with { RefKind = Webhooks.JobHookReader.Classify(e.Ref, false, null, defaultBranch) };
            }

            _tags(long.Parse(e.Key.Id, CultureInfo.InvariantCulture), tags);
            sink(e);
        }
    }

    /// <summary>The event a pending or running job record stands for, with its tags; null without a numeric id.</summary>
    /// <exception cref="InvalidOperationException">A field has the wrong JSON kind or text that is not valid Unicode.</exception>
    /// <exception cref="FormatException">A field's text cannot be read.</exception>
    private (JobEvent? Event, IReadOnlyList<string> Tags) Read(JsonElement job)
    {
        if (job.ValueKind != JsonValueKind.Object || !Webhooks.JobHookReader.Long(job, "id", out var id))
        {
            return (null, []);
        }

        var tags = Webhooks.JobHookReader.Tags(job);
        var running = job.TryGetProperty("status", out var status) && status.GetString() == "running";
        var path = job.TryGetProperty("web_url", out var web) && web.ValueKind != JsonValueKind.Null && Uri.TryCreate(web.GetString(), UriKind.Absolute, out var url) ? PathOf(url) : null;
        job.TryGetProperty("pipeline", out var pipeline);
        return (new JobEvent
        {
            Key = new JobKey(_forge, id.ToString(CultureInfo.InvariantCulture)),
            Kind = running ? JobEventKind.Started : JobEventKind.Queued,
            At = (running ? Webhooks.JobHookReader.Time(job, "started_at") : null) ?? Webhooks.JobHookReader.Time(job, "created_at") ?? _time.GetUtcNow(),
            Labels = tags,
            Scope = path,
            RunnerName = running && job.TryGetProperty("runner", out var runner) && runner.ValueKind == JsonValueKind.Object && runner.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null ? d.GetString() : null,
            RunId = pipeline.ValueKind == JsonValueKind.Object && Webhooks.JobHookReader.Long(pipeline, "id", out var p) ? p : null,
            Ref = Webhooks.JobHookReader.Text(job, "ref"),
            RefKind = Webhooks.JobHookReader.ClassifyRecord(job, null),
        }, tags);
    }

    /// <summary>Counts a skipped record and logs it the first time it is seen.</summary>
    private void Skipped(string where, string problem)
    {
        Metrics?.PollRecordSkipped(_forge);
        bool first;
        lock (_skippedRecords)
        {
            if (_skippedRecords.Count >= SkippedRecordMemory)
            {
                _skippedRecords.Clear();
            }

            first = _skippedRecords.Add($"{where}: {problem}");
        }

        if (first)
        {
            GitLabLog.PollRecordSkipped(_logger, _forge, where, problem);
        }
    }

    /// <summary>The project path of a job's web URL: everything before <c>/-/jobs/</c>.</summary>
    internal static string? PathOf(Uri url)
    {
        var path = url.AbsolutePath;
        var cut = path.IndexOf("/-/", StringComparison.Ordinal);
        return cut <= 0 ? null : Uri.UnescapeDataString(path[1..cut]);
    }
}
