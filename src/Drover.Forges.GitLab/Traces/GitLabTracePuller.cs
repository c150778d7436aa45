using System.Globalization;
using System.Text.Json;
using Drover.Core.Config;
using Drover.Core.Traces;
using Drover.Forges.GitLab.Api;
using Drover.Forges.GitLab.Webhooks;

namespace Drover.Forges.GitLab.Traces;

/// <summary>
/// Reads finished GitLab CI jobs of a project, or of every project of a group (subgroups included), into the planner's
/// job trace: queued at <c>created_at</c>, started at <c>started_at</c> (so the queued duration is kept), running until
/// <c>finished_at</c>, with the job's tags and the project's path as scope. Every request goes through the client's budget,
/// which honours GitLab's rate limits.
/// </summary>
public sealed class GitLabTracePuller
{
    private readonly GitLabApiClient _client;

    /// <param name="client">An authenticated client.</param>
    public GitLabTracePuller(GitLabApiClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    /// <summary>Pulls the trace of <paramref name="scope"/> (a project or a group, by path or id).</summary>
    /// <exception cref="GitLabApiException">A call failed.</exception>
    public async Task<Trace> PullAsync(PoolScope scope, DateTimeOffset? since, IProgress<TracePullProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var projects = scope.Kind == ScopeKind.Group
            ? [.. (await _client.GetAllPagesAsync($"groups/{Uri.EscapeDataString(scope.Path)}/projects?include_subgroups=true&simple=true", cancellationToken).ConfigureAwait(false))
                .Select(p => (Id: p.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture), Path: JobHookReader.Text(p, "path_with_namespace") ?? string.Empty))]
            : new List<(string Id, string Path)> { (Uri.EscapeDataString(scope.Path), scope.Path) };
        var jobs = new List<TraceJob>();
        var left = 0;
        for (var i = 0; i < projects.Count; i++)
        {
            var (id, path) = projects[i];
            var finished = await _client.GetAllPagesAsync($"projects/{id}/jobs?scope[]=success&scope[]=failed&scope[]=canceled", cancellationToken).ConfigureAwait(false);
            foreach (var job in finished)
            {
                if (Read(job, path) is { } traceJob && (since is null || traceJob.QueuedAt >= since))
                {
                    jobs.Add(traceJob);
                }
                else if (since is null)
                {
                    left++;
                }
            }

            progress?.Report(new TracePullProgress(i + 1, projects.Count, jobs.Count, null));
        }

        var notes = new List<string>
        {
            $"pulled from the GitLab jobs API of {scope}{(since is { } from ? $" for jobs created since {from:yyyy-MM-ddTHH:mm:ssZ}" : string.Empty)}: {projects.Count} project(s)",
            "queued_at is the job's created_at, started_at its started_at (created_at + queued_duration), duration finished_at - started_at; retried jobs are jobs of their own",
        };
        if (left > 0)
        {
            notes.Add($"left out: {left} job(s) that never started (canceled while pending) or lack times");
        }

        return new Trace($"gitlab-{scope.Path.Replace('/', '-')}", $"GitLab jobs API, {scope}", jobs, notes);
    }

    private static TraceJob? Read(JsonElement job, string path)
    {
        var created = JobHookReader.Time(job, "created_at");
        var started = JobHookReader.Time(job, "started_at");
        var finished = JobHookReader.Time(job, "finished_at");
        if (created is null || started is null || finished is null)
        {
            return null;
        }

        // Tags the job CSV cannot hold are left out, as the GitHub pull does with labels.
        var tags = JobHookReader.Tags(job).Where(t => !t.Contains(';') && !t.Contains(',') && !t.Contains('"'));
        var queued = created.Value <= started.Value ? created.Value : started.Value;
        return new TraceJob(queued.ToUniversalTime(), started.Value.ToUniversalTime(), Math.Max(0, (finished.Value - started.Value).TotalSeconds), LabelSet.Create(tags), path);
    }
}
