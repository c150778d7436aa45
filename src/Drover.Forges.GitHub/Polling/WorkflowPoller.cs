using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Webhooks;
using Microsoft.Extensions.Logging;

namespace Drover.Forges.GitHub.Polling;

/// <summary>
/// The polling reconciler: every interval, for each repository the forge's pools cover (an organisation's
/// repositories are listed), lists the queued and in-progress workflow runs and their jobs, and reports every job
/// whose state changed since the last poll — so jobs whose webhooks were lost still reach the ledger, which ignores
/// what it already knows. A job seen waiting or running that no longer shows up in either list is fetched to learn how
/// it ended: at most <see cref="MaxLookups"/> such look-ups per poll, and a job whose look-up says it is still waiting
/// or running (or fails) is looked up again only after a delay that doubles from the poll interval up to
/// <see cref="MaxLookupDelay"/>, so jobs the lists never show (a webhook's job in a repository no pool polls) cost a
/// bounded number of requests. A job record that cannot be read is skipped, logged once and counted
/// (<c>drover_forge_poll_records_skipped_total</c>); the rest of the answer is used. Every GET is conditional (ETag):
/// an unchanged page is answered 304 and costs no rate limit. When GitHub's rate limit is spent the poller sleeps until
/// the reset instead of retrying.
/// </summary>
internal sealed class WorkflowPoller
{
    private static readonly string[] _runStatuses = ["queued", "in_progress"];
    private readonly GitHubApiClient _client;
    private readonly string _forge;
    private readonly Func<IReadOnlyList<PoolScope>> _scopes;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<long, (string Repository, JobEventKind Kind)> _active = [];
    private readonly Dictionary<long, (DateTimeOffset NextAt, int Misses)> _lookups = [];
    private readonly HashSet<string> _skippedRecords = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private readonly HashSet<string> _failingScopes = new(StringComparer.OrdinalIgnoreCase);
    private bool _enterpriseNoted;

    /// <param name="client">The forge's REST client.</param>
    /// <param name="forge">The forge's configured name.</param>
    /// <param name="scopes">The scopes of the forge's pools now (read at every poll, so reloads apply).</param>
    /// <param name="interval">Time between polls.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where failures go.</param>
    public WorkflowPoller(GitHubApiClient client, string forge, Func<IReadOnlyList<PoolScope>> scopes, TimeSpan interval, TimeProvider time, ILogger logger)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _forge = forge;
        _scopes = scopes;
        _interval = interval > TimeSpan.Zero ? interval : throw new ArgumentOutOfRangeException(nameof(interval), "the poll interval must be positive");
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        Backoff = new PollBackoff(interval, new Random(RandomNumberGenerator.GetInt32(int.MaxValue)));
    }

    /// <summary>Time between polls (<c>forges[].pollInterval</c>, or the adapter's default).</summary>
    public TimeSpan Interval => _interval;

    /// <summary>The longest wait before looking a job up again whose look-up said it is still waiting or running.</summary>
    public static readonly TimeSpan MaxLookupDelay = TimeSpan.FromMinutes(15);

    /// <summary>How many distinct unreadable records are remembered so that each is logged once.</summary>
    private const int SkippedRecordMemory = 10_000;

    /// <summary>At most this many look-ups of single jobs per poll (see the class summary). Default 20.</summary>
    public int MaxLookups { get; init; } = 20;

    /// <summary>Where skipped job records are counted; none when null.</summary>
    public IAdapterMetrics? Metrics { get; init; }

    /// <summary>Jobs the poller believes are waiting or running.</summary>
    public int Tracked
    {
        get
        {
            lock (_sync)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>
    /// Takes in a job event learned elsewhere (a webhook): a waiting or running job is watched, so that if its later
    /// webhooks are lost the poll still learns how it ended; a finished one is forgotten.
    /// </summary>
    public void Observe(JobEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Scope is not { } repository || !long.TryParse(e.Key.Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
        {
            return;
        }

        lock (_sync)
        {
            if (e.Kind is JobEventKind.Completed or JobEventKind.Cancelled)
            {
                _active.Remove(id);
                _lookups.Remove(id);
            }
            else if (!_active.TryGetValue(id, out var known) || known.Kind < e.Kind)
            {
                _active[id] = (repository, e.Kind);
            }
        }
    }

    /// <summary>
    /// The wait between rounds: the interval while rounds succeed, an exponential backoff with jitter while every
    /// repository fails (see <see cref="PollBackoff"/>). Set once, before <see cref="RunAsync"/>.
    /// </summary>
    public PollBackoff Backoff { get; init; }

    /// <summary>
    /// Polls until cancelled: at once, then every interval (or at the rate-limit reset, if later). A round in which
    /// every repository failed is retried with <see cref="Backoff"/>; the start and the end of a run of failed rounds are
    /// logged once each, not every attempt.
    /// </summary>
    public async Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var round = await PollRoundAsync(sink, cancellationToken).ConfigureAwait(false);
                if (round.Reported > 0)
                {
                    GitHubLog.PollFound(_logger, _forge, round.Reported);
                }

                wait = round.Failure is { } failure ? Failed(failure) : Succeeded();
            }
            catch (GitHubRateLimitedException e)
            {
                GitHubLog.PollPaused(_logger, _forge, e.Until);
                var untilReset = e.Until - _time.GetUtcNow();
                wait = untilReset > _interval ? untilReset : _interval;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                wait = Failed($"{e.GetType().Name}: {e.Message}");
            }

            try
            {
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TimeSpan Failed(string reason)
    {
        var (wait, started) = Backoff.Failed(_time.GetUtcNow());
        if (started)
        {
            GitHubLog.PollFailing(_logger, _forge, reason, wait);
        }

        return wait;
    }

    private TimeSpan Succeeded()
    {
        var (wait, recovered) = Backoff.Succeeded();
        if (recovered is { } run)
        {
            GitHubLog.PollRecovered(_logger, _forge, run.Rounds, run.Since);
        }

        return wait;
    }

    /// <summary>One poll; returns how many events it reported.</summary>
    /// <exception cref="GitHubRateLimitedException">The rate limit is spent; nothing more was sent.</exception>
    public async Task<int> PollOnceAsync(Action<JobEvent> sink, CancellationToken cancellationToken) =>
        (await PollRoundAsync(sink, cancellationToken).ConfigureAwait(false)).Reported;

    /// <summary>One poll: the events it reported, and the first failure when every repository (or organisation) failed.</summary>
    private async Task<(int Reported, string? Failure)> PollRoundAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sink);
        var reported = 0;
        var seen = new HashSet<long>();
        var failed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var (repositories, listFailure) = await RepositoriesAsync(cancellationToken).ConfigureAwait(false);
        var firstFailure = listFailure;
        foreach (var repository in repositories)
        {
            try
            {
                reported += await PollRepositoryAsync(repository, seen, sink, cancellationToken).ConfigureAwait(false);
                ScopeWorks(repository);
            }
            catch (Exception e) when (e is not OperationCanceledException and not GitHubRateLimitedException)
            {
                failed.Add(repository);
                var reason = $"{e.GetType().Name}: {e.Message}";
                firstFailure ??= $"{repository}: {reason}";
                ScopeFails(repository, reason);
            }
        }

        // Jobs that left both lists since the last poll: ask how each ended, a bounded number per poll.
        foreach (var (id, repository, kind) in DueLookups(seen, failed))
        {
            reported += await LookUpAsync(id, repository, kind, sink, cancellationToken).ConfigureAwait(false);
        }

        var everyScopeFailed = firstFailure is not null && failed.Count == repositories.Count;
        return (reported, everyScopeFailed ? firstFailure : null);
    }

    /// <summary>
    /// The watched jobs missing from this poll's lists whose look-up is due, the longest-waiting first, at most
    /// <see cref="MaxLookups"/>; jobs the lists showed again lose their look-up delay.
    /// </summary>
    private List<(long Id, string Repository, JobEventKind Kind)> DueLookups(HashSet<long> seen, HashSet<string> failed)
    {
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            foreach (var id in seen)
            {
                _lookups.Remove(id);
            }

            return [.. _active
                .Where(a => !seen.Contains(a.Key) && !failed.Contains(a.Value.Repository))
                .Select(a => (a.Key, a.Value.Repository, a.Value.Kind, NextAt: _lookups.TryGetValue(a.Key, out var l) ? l.NextAt : DateTimeOffset.MinValue))
                .Where(a => a.NextAt <= now)
                .OrderBy(a => a.NextAt)
                .ThenBy(a => a.Key)
                .Take(MaxLookups)
                .Select(a => (a.Key, a.Repository, a.Kind))];
        }
    }

    /// <summary>
    /// Looks one job up and reports how it stands; a job still waiting or running, unreadable or whose look-up failed
    /// is looked up again after a growing delay.
    /// </summary>
    private async Task<int> LookUpAsync(long id, string repository, JobEventKind kind, Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        JobEvent? e;
        try
        {
            var job = await _client.GetAsync(string.Create(CultureInfo.InvariantCulture, $"{ScopePaths.Repository(repository)}/actions/jobs/{id}"), conditional: true, cancellationToken).ConfigureAwait(false);
            e = ReadRecord(job, repository, string.Create(CultureInfo.InvariantCulture, $"{repository} job {id}"));
        }
        catch (GitHubApiException ex) when (ex.Status == System.Net.HttpStatusCode.NotFound)
        {
            lock (_sync)
            {
                _active.Remove(id);
                _lookups.Remove(id);
            }

            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not GitHubRateLimitedException)
        {
            var retryAt = Missed(id);
            GitHubLog.JobLookupFailed(_logger, _forge, id, repository, $"{ex.GetType().Name}: {ex.Message}", retryAt);
            return 0;
        }

        var reported = Report(e, id, repository, kind, sink);
        lock (_sync)
        {
            if (!_active.ContainsKey(id))
            {
                _lookups.Remove(id);
                return reported;
            }
        }

        Missed(id);
        return reported;
    }

    /// <summary>Notes a look-up that did not settle the job; returns when it is due again.</summary>
    private DateTimeOffset Missed(long id)
    {
        lock (_sync)
        {
            var misses = _lookups.TryGetValue(id, out var before) ? before.Misses + 1 : 1;
            var delay = _interval;
            for (var i = 1; i < misses && delay < MaxLookupDelay; i++)
            {
                delay += delay;
            }

            var nextAt = _time.GetUtcNow() + (delay < MaxLookupDelay ? delay : MaxLookupDelay);
            _lookups[id] = (nextAt, misses);
            return nextAt;
        }
    }

    /// <summary>
    /// The event a job record stands for; null (skipped, logged once per record and counted) when it cannot be read.
    /// </summary>
    /// <summary>The ref facts of a listed run; none when its fields have the wrong kinds (its jobs are still read).</summary>
    private static RunFacts? ReadRunFacts(JsonElement run)
    {
        try
        {
            return WorkflowJobReader.ReadRun(run);
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private JobEvent? ReadRecord(JsonElement job, string repository, string where, RunFacts? run = null)
    {
        try
        {
            return WorkflowJobReader.ReadJob(job, _forge, repository, _time.GetUtcNow(), run);
        }
        catch (FormatException e)
        {
            Metrics?.PollRecordSkipped(_forge);
            bool first;
            lock (_sync)
            {
                if (_skippedRecords.Count >= SkippedRecordMemory)
                {
                    _skippedRecords.Clear();
                }

                first = _skippedRecords.Add($"{where}: {e.Message}");
            }

            if (first)
            {
                GitHubLog.PollRecordSkipped(_logger, _forge, where, e.Message);
            }

            return null;
        }
    }

    /// <summary>Logs a scope's failure when it starts failing; later failures of the same scope are not logged again.</summary>
    private void ScopeFails(string scope, string reason)
    {
        bool first;
        lock (_sync)
        {
            first = _failingScopes.Add(scope);
        }

        if (first)
        {
            GitHubLog.PollFailed(_logger, _forge, scope, reason);
        }
    }

    /// <summary>Logs that a scope that was failing works again.</summary>
    private void ScopeWorks(string scope)
    {
        bool recovered;
        lock (_sync)
        {
            recovered = _failingScopes.Remove(scope);
        }

        if (recovered)
        {
            GitHubLog.ScopeRecovered(_logger, _forge, scope);
        }
    }

    private async Task<int> PollRepositoryAsync(string repository, HashSet<long> seen, Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var reported = 0;
        var path = ScopePaths.Repository(repository);
        var runs = new Dictionary<long, RunFacts?>();
        foreach (var status in _runStatuses)
        {
            foreach (var run in await _client.GetAllPagesAsync($"{path}/actions/runs?status={status}&per_page=100", "workflow_runs", conditional: true, cancellationToken).ConfigureAwait(false))
            {
                if (run.TryGetProperty("id", out var id) && id.TryGetInt64(out var runId))
                {
                    // The run's event tells a pull request's jobs, which their own records do not.
                    runs[runId] = ReadRunFacts(run);
                }
            }
        }

        foreach (var (runId, facts) in runs.OrderBy(r => r.Key))
        {
            var jobs = await _client.GetAllPagesAsync(
                string.Create(CultureInfo.InvariantCulture, $"{path}/actions/runs/{runId}/jobs?filter=latest&per_page=100"), "jobs", conditional: true, cancellationToken).ConfigureAwait(false);
            foreach (var job in jobs)
            {
                var e = ReadRecord(job, repository, string.Create(CultureInfo.InvariantCulture, $"{repository} run {runId}"), facts);
                if (e is null || !long.TryParse(e.Key.Id, NumberStyles.Integer, CultureInfo.InvariantCulture, out var jobId))
                {
                    continue;
                }

                if (e.Kind is JobEventKind.Queued or JobEventKind.Started)
                {
                    seen.Add(jobId);
                }

                JobEventKind? known;
                lock (_sync)
                {
                    known = _active.TryGetValue(jobId, out var before) ? before.Kind : null;
                }

                reported += Report(e, jobId, repository, known, sink);
            }
        }

        return reported;
    }

    private int Report(JobEvent? e, long id, string repository, JobEventKind? known, Action<JobEvent> sink)
    {
        if (e is null)
        {
            return 0;
        }

        lock (_sync)
        {
            if (e.Kind is JobEventKind.Queued or JobEventKind.Started)
            {
                _active[id] = (repository, e.Kind);
            }
            else
            {
                if (known is null)
                {
                    // A job that ended before anyone saw it waiting: its webhook reported it, or nobody waited for it.
                    return 0;
                }

                _active.Remove(id);
            }
        }

        if (known == e.Kind)
        {
            return 0;
        }

        sink(e);
        return 1;
    }

    /// <summary>The repositories to poll, and the first organisation whose repositories could not be listed.</summary>
    private async Task<(IReadOnlyList<string> Repositories, string? Failure)> RepositoriesAsync(CancellationToken cancellationToken)
    {
        var repositories = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
        string? failure = null;
        foreach (var scope in _scopes())
        {
            switch (scope.Kind)
            {
                case ScopeKind.Repository:
                    repositories.Add(scope.Path);
                    break;
                case ScopeKind.Organization:
                    try
                    {
                        foreach (var repo in await _client.GetAllPagesAsync($"{ScopePaths.Of(scope)}/repos?per_page=100", null, conditional: true, cancellationToken).ConfigureAwait(false))
                        {
                            if (repo.TryGetProperty("full_name", out var name) && name.GetString() is { Length: > 0 } fullName
                                && !(repo.TryGetProperty("archived", out var archived) && archived.ValueKind == JsonValueKind.True))
                            {
                                repositories.Add(fullName);
                            }
                        }

                        ScopeWorks(scope.ToString());
                    }
                    catch (Exception e) when (e is not OperationCanceledException and not GitHubRateLimitedException)
                    {
                        var reason = $"{e.GetType().Name}: {e.Message}";
                        failure ??= $"{scope}: {reason}";
                        ScopeFails(scope.ToString(), reason);
                    }

                    break;
                default:
                    if (!_enterpriseNoted)
                    {
                        _enterpriseNoted = true;
                        GitHubLog.EnterpriseNotPolled(_logger, _forge, scope.ToString());
                    }

                    break;
            }
        }

        return ([.. repositories], failure);
    }
}
