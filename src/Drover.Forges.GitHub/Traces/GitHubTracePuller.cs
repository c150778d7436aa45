using System.Globalization;
using System.Text.Json;
using Drover.Core.Traces;
using Drover.Forges.GitHub.Api;

namespace Drover.Forges.GitHub.Traces;

/// <summary>
/// Reads a repository's Actions history into the planner's job trace: every workflow run (created since a date), every
/// job of every attempt; a finished job becomes one trace job (queued at its <c>created_at</c>, started at
/// <c>started_at</c>, running until <c>completed_at</c>, with its labels and the repository as scope). When the rate
/// limit is spent it waits for the reset (reported through the progress) and then asks again for the list it was reading.
/// </summary>
public sealed class GitHubTracePuller
{
    private readonly GitHubApiClient _client;
    private readonly TimeProvider _time;

    /// <param name="client">An authenticated client.</param>
    /// <param name="time">The clock rate-limit waits use.</param>
    public GitHubTracePuller(GitHubApiClient client, TimeProvider time)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _time = time ?? throw new ArgumentNullException(nameof(time));
    }

    /// <summary>Pulls the trace of <paramref name="repository"/> (<c>owner/repo</c>).</summary>
    /// <exception cref="GitHubApiException">A call failed for another reason than the rate limit.</exception>
    public async Task<Trace> PullAsync(string repository, DateTimeOffset? since, IProgress<TracePullProgress>? progress, CancellationToken cancellationToken)
    {
        var path = ScopePaths.Repository(repository);
        var query = since is { } s ? "&created=" + Uri.EscapeDataString(">=" + s.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)) : string.Empty;
        var runs = await WithRateLimitAsync(
            () => _client.GetAllPagesAsync($"{path}/actions/runs?per_page=100{query}", "workflow_runs", conditional: false, cancellationToken, maxPages: 1000),
            new TracePullProgress(0, 0, 0, null), progress, cancellationToken).ConfigureAwait(false);
        var jobs = new List<TraceJob>();
        var skipped = 0;
        var unfinished = 0;
        var done = 0;
        foreach (var run in runs)
        {
            if (!run.TryGetProperty("id", out var id) || !id.TryGetInt64(out var runId))
            {
                continue;
            }

            var runJobs = await WithRateLimitAsync(
                () => _client.GetAllPagesAsync(string.Create(CultureInfo.InvariantCulture, $"{path}/actions/runs/{runId}/jobs?filter=all&per_page=100"), "jobs", conditional: false, cancellationToken),
                new TracePullProgress(done, runs.Count, jobs.Count, null), progress, cancellationToken).ConfigureAwait(false);
            foreach (var job in runJobs)
            {
                switch (Read(job, repository))
                {
                    case { } traceJob:
                        jobs.Add(traceJob);
                        break;
                    case null when job.TryGetProperty("conclusion", out var c) && c.ValueKind == JsonValueKind.String && c.GetString() == "skipped":
                        skipped++;
                        break;
                    default:
                        unfinished++;
                        break;
                }
            }

            progress?.Report(new TracePullProgress(++done, runs.Count, jobs.Count, null));
        }

        var notes = new List<string>
        {
            $"pulled from the GitHub Actions API (workflow runs and their jobs) of {repository}{(since is { } from ? $" for runs created since {from:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty)}: {runs.Count} runs",
            "queued_at is the job's created_at, started_at its started_at, duration completed_at - started_at; every attempt of a re-run job is a job",
        };
        if (skipped + unfinished > 0)
        {
            notes.Add($"left out: {skipped} skipped job(s) that never ran, {unfinished} job(s) not finished or without times");
        }

        if (runs.Count >= 1000 && since is not null)
        {
            notes.Add("GitHub returns at most 1,000 runs for a filtered search: pull shorter periods to get everything");
        }

        return new Trace($"github-{repository.Replace('/', '-')}", $"GitHub Actions API, {repository}", jobs, notes);
    }

    private static TraceJob? Read(JsonElement job, string repository)
    {
        if (!job.TryGetProperty("status", out var status) || status.GetString() != "completed"
            || (job.TryGetProperty("conclusion", out var conclusion) && conclusion.GetString() == "skipped"))
        {
            return null;
        }

        var created = Time(job, "created_at");
        var started = Time(job, "started_at");
        var completed = Time(job, "completed_at");
        if (started is null || completed is null)
        {
            return null;
        }

        var queued = created is { } c && c <= started ? c : started.Value;
        var labels = job.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array
            ? l.EnumerateArray().Select(x => x.GetString()).OfType<string>().Where(x => x.Length > 0 && !x.Contains(';') && !x.Contains(',') && !x.Contains('"'))
            : [];
        var duration = Math.Max(0, (completed.Value - started.Value).TotalSeconds);
        return new TraceJob(queued, started, duration, LabelSet.Create(labels), repository);
    }

    private static DateTimeOffset? Time(JsonElement job, string name) =>
        job.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : null;

    private async Task<T> WithRateLimitAsync<T>(Func<Task<T>> call, TracePullProgress where, IProgress<TracePullProgress>? progress, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (GitHubRateLimitedException e)
            {
                progress?.Report(where with { WaitingUntil = e.Until });
                var wait = e.Until - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
