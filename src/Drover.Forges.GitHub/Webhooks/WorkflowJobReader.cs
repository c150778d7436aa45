using System.Globalization;
using System.Text.Json;
using Drover.Core.Demand;

namespace Drover.Forges.GitHub.Webhooks;

/// <summary>
/// Reads GitHub's workflow job objects — the <c>workflow_job</c> of a webhook and the items of the REST jobs lists,
/// which have the same fields — into <see cref="JobEvent"/>s. Written on System.Text.Json rather than an SDK's models:
/// the real payloads (octokit's examples, ARC's test payloads) omit fields an SDK model requires, and only a dozen
/// fields matter here.
/// </summary>
internal static class WorkflowJobReader
{
    /// <summary>
    /// The event a <c>workflow_job</c> webhook body means, or null for other events and actions Drover ignores.
    /// </summary>
    /// <param name="eventName">The <c>X-GitHub-Event</c> header; null when unknown (then the body decides).</param>
    /// <param name="body">The raw body.</param>
    /// <param name="forge">The forge's configured name (first half of the job key).</param>
    /// <param name="deliveryId">The delivery id to put on the event.</param>
    /// <param name="receivedAt">Used when the payload carries no time for the action.</param>
    /// <exception cref="FormatException">The body is not JSON or a <c>workflow_job</c> lacks what Drover needs; the message says which field.</exception>
    public static JobEvent? ReadWebhook(string? eventName, ReadOnlySpan<byte> body, string forge, string? deliveryId, DateTimeOffset receivedAt)
    {
        try
        {
            return ReadWebhookBody(eventName, body, forge, deliveryId, receivedAt);
        }
        catch (InvalidOperationException e)
        {
            throw Unreadable("body", e);
        }
    }

    private static JobEvent? ReadWebhookBody(string? eventName, ReadOnlySpan<byte> body, string forge, string? deliveryId, DateTimeOffset receivedAt)
    {
        if (eventName is not null && !string.Equals(eventName, "workflow_job", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException e)
        {
            throw new FormatException($"body: not JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("workflow_job", out var job))
            {
                if (eventName is null)
                {
                    return null;
                }

                throw new FormatException("body: a workflow_job event without a 'workflow_job' object");
            }

            var action = String(root, "action", "action");
            if (KindOfAction(action) is not { } kind)
            {
                return null;
            }

            var hasRepository = root.TryGetProperty("repository", out var repo) && repo.ValueKind == JsonValueKind.Object;
            var repository = hasRepository ? String(repo, "full_name", "repository.full_name") : null;

            // The ref's facts: the repository's default branch, and the deployment a job with an environment waits for.
            var facts = new RunFacts(
                hasRepository ? String(repo, "default_branch", "repository.default_branch") : null,
                null,
                root.TryGetProperty("deployment", out var deployment) && deployment.ValueKind == JsonValueKind.Object
                    ? String(deployment, "environment", "deployment.environment")
                    : null);
            return Read(job, kind, forge, repository, deliveryId, receivedAt, "workflow_job.", facts);
        }
    }

    /// <summary>The event a REST job object (from <c>/actions/runs/{id}/jobs</c> or <c>/actions/jobs/{id}</c>) stands for.</summary>
    /// <param name="job">The job object.</param>
    /// <param name="forge">The forge's configured name.</param>
    /// <param name="repository">The repository the job was listed under (<c>owner/repo</c>).</param>
    /// <param name="observedAt">Used when the job carries no time for its status.</param>
    /// <param name="run">What the job's workflow run told of its ref (its event, the repository's default branch); null when unknown.</param>
    /// <exception cref="FormatException">The job lacks what Drover needs.</exception>
    public static JobEvent? ReadJob(JsonElement job, string forge, string repository, DateTimeOffset observedAt, RunFacts? run = null)
    {
        try
        {
            return ReadJobObject(job, forge, repository, observedAt, run);
        }
        catch (InvalidOperationException e)
        {
            throw Unreadable("job", e);
        }
    }

    /// <summary>
    /// A payload whose fields have the wrong JSON kinds (an id that is a string) or hold text that is not valid Unicode
    /// (a lone surrogate): unreadable, like a payload that is not JSON, so it is never retried.
    /// </summary>
    private static FormatException Unreadable(string where, InvalidOperationException e) =>
        new($"{where}: a field of the wrong JSON kind or with text that is not valid Unicode ({e.Message})", e);

    private static JobEvent? ReadJobObject(JsonElement job, string forge, string repository, DateTimeOffset observedAt, RunFacts? run)
    {
        var status = String(job, "status", "job.status");
        var kind = status switch
        {
            "queued" or "waiting" or "pending" or "requested" => JobEventKind.Queued,
            "in_progress" => JobEventKind.Started,
            "completed" => JobEventKind.Completed,
            _ => (JobEventKind?)null,
        };
        return kind is null ? null : Read(job, kind.Value, forge, repository, null, observedAt, "job.", run);
    }

    /// <summary>The ledger kind of a webhook action; null for actions Drover ignores.</summary>
    public static JobEventKind? KindOfAction(string? action) => action switch
    {
        "queued" or "waiting" => JobEventKind.Queued,
        "in_progress" => JobEventKind.Started,
        "completed" => JobEventKind.Completed,
        _ => null,
    };

    /// <summary>
    /// What a workflow run tells of the ref of its jobs: <c>event</c> (<c>pull_request</c>, <c>pull_request_target</c>,
    /// <c>push</c>, ...), the repository's default branch, and the environment of the deployment a job waits for.
    /// </summary>
    /// <param name="run">The workflow run object.</param>
    /// <returns>The facts; fields the run does not carry are null.</returns>
    public static RunFacts ReadRun(JsonElement run) => new(
        run.TryGetProperty("repository", out var repo) && repo.ValueKind == JsonValueKind.Object ? String(repo, "default_branch", "run.repository.default_branch") : null,
        String(run, "event", "run.event"),
        null);

    /// <summary>
    /// The kind of <paramref name="headBranch"/>: a pull request when the run's event says so; else the default branch
    /// when it is the repository's, another branch when the default branch is known and differs; null when unknown.
    /// </summary>
    /// <remarks>GitHub's job payloads do not tell tags: a tag push's <c>head_branch</c> is the tag's name, counted as a branch.</remarks>
    internal static JobRefKind? Classify(string? headBranch, RunFacts? facts)
    {
        if (facts?.Event is { } e && e.StartsWith("pull_request", StringComparison.Ordinal))
        {
            return JobRefKind.PullRequest;
        }

        if (headBranch is null || facts?.DefaultBranch is not { } defaultBranch)
        {
            return null;
        }

        return string.Equals(headBranch, defaultBranch, StringComparison.Ordinal) ? JobRefKind.DefaultBranch : JobRefKind.Branch;
    }

    private static JobEvent Read(JsonElement job, JobEventKind kind, string forge, string? repository, string? deliveryId, DateTimeOffset fallback, string where, RunFacts? facts)
    {
        if (job.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where.TrimEnd('.')}: not an object");
        }

        if (!job.TryGetProperty("id", out var idElement) || idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out var id))
        {
            throw new FormatException($"{where}id: missing or not an integer");
        }

        if (kind == JobEventKind.Completed && String(job, "conclusion", where + "conclusion") is "cancelled" or "skipped")
        {
            kind = JobEventKind.Cancelled;
        }

        var labels = new List<string>();
        if (job.TryGetProperty("labels", out var labelArray) && labelArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var label in labelArray.EnumerateArray())
            {
                if (label.ValueKind == JsonValueKind.String && label.GetString() is { Length: > 0 } text)
                {
                    labels.Add(text);
                }
            }
        }

        long? runId = job.TryGetProperty("run_id", out var run) && run.ValueKind == JsonValueKind.Number && run.TryGetInt64(out var r) ? r : null;
        var at = kind switch
        {
            JobEventKind.Queued => Time(job, "created_at", where) ?? Time(job, "started_at", where),
            JobEventKind.Started => Time(job, "started_at", where),
            _ => Time(job, "completed_at", where),
        } ?? fallback;
        var runner = String(job, "runner_name", where + "runner_name");
        var headBranch = String(job, "head_branch", where + "head_branch");
        return new JobEvent
        {
            Key = new JobKey(forge, id.ToString(CultureInfo.InvariantCulture)),
            Kind = kind,
            At = at,
            Labels = labels,
            Scope = repository,
            RunnerName = kind == JobEventKind.Queued || string.IsNullOrEmpty(runner) ? null : runner,
            RunId = runId,
            Ref = headBranch,
            RefKind = Classify(headBranch, facts),
            Environment = facts?.Environment,
            DeliveryId = deliveryId,
        };
    }

    private static string? String(JsonElement element, string name, string where)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new FormatException($"{where}: not a string");
    }

    private static DateTimeOffset? Time(JsonElement job, string name, string where)
    {
        var text = String(job, name, where + name);
        if (text is null)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime()
            : throw new FormatException($"{where}{name}: '{text}' is not a date-time");
    }
}
