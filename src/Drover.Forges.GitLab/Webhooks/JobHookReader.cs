using System.Globalization;
using System.Text.Json;
using Drover.Core.Demand;

namespace Drover.Forges.GitLab.Webhooks;

/// <summary>
/// Reads GitLab <c>Job Hook</c> payloads (<c>object_kind: build</c>) into job events: <c>pending</c> → queued,
/// <c>running</c> → started (with the runner's description, which is Drover's runner name), <c>success</c> and
/// <c>failed</c> → completed, <c>canceled</c> and <c>skipped</c> → cancelled. <c>created</c> (waiting for earlier stages
/// of its pipeline) is no demand yet: nothing could run it, so it is acknowledged and not counted. The hook carries no
/// job tags; the forge fetches them before the event goes to the ledger.
/// </summary>
internal static class JobHookReader
{
    /// <summary>The hook in <paramref name="body"/>, or null when it is not a job hook.</summary>
    /// <exception cref="JsonException">The body is not JSON.</exception>
    /// <exception cref="FormatException">A string in it is not valid UTF-8 or holds an unpaired surrogate escape.</exception>
    public static JobHook? Read(ReadOnlySpan<byte> body, string forge, string? deliveryId, DateTimeOffset receivedAt)
    {
        try
        {
            return ReadCore(body, forge, deliveryId, receivedAt);
        }
        catch (InvalidOperationException e)
        {
            // System.Text.Json reads such strings only when asked for them, and says so with this exception.
            throw new FormatException($"body: a string that is not valid text ({e.Message})", e);
        }
    }

    private static JobHook? ReadCore(ReadOnlySpan<byte> body, string forge, string? deliveryId, DateTimeOffset receivedAt)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || Text(root, "object_kind") != "build"
            || !Long(root, "build_id", out var jobId) || !Long(root, "project_id", out var projectId))
        {
            return null;
        }

        var status = Text(root, "build_status") ?? string.Empty;
        JobEventKind? kind = status switch
        {
            "pending" => JobEventKind.Queued,
            "running" => JobEventKind.Started,
            "success" or "failed" => JobEventKind.Completed,
            "canceled" or "skipped" => JobEventKind.Cancelled,
            _ => null,
        };
        if (kind is null)
        {
            return new JobHook(null, projectId, jobId, status);
        }

        var at = kind switch
        {
            JobEventKind.Queued => Time(root, "build_created_at"),
            JobEventKind.Started => Time(root, "build_started_at"),
            _ => Time(root, "build_finished_at") ?? Time(root, "build_started_at"),
        } ?? receivedAt;
        var runner = kind is JobEventKind.Started or JobEventKind.Completed && root.TryGetProperty("runner", out var r) && r.ValueKind == JsonValueKind.Object
            ? Text(r, "description")
            : null;
        var e = new JobEvent
        {
            Key = new JobKey(forge, jobId.ToString(CultureInfo.InvariantCulture)),
            Kind = kind.Value,
            At = at,
            Scope = ProjectPath(root),
            RunnerName = runner,
            RunId = Long(root, "pipeline_id", out var pipeline) ? pipeline : null,
            Ref = Text(root, "ref"),
            RefKind = Classify(Text(root, "ref"), Bool(root, "tag"), null, null),
            Environment = root.TryGetProperty("environment", out var environment) && environment.ValueKind == JsonValueKind.Object ? Text(environment, "name") : null,
            DeliveryId = deliveryId,
        };
        return new JobHook(e, projectId, jobId, status);
    }

    /// <summary>
    /// The kind of a job's <paramref name="reference"/>: a tag when GitLab says so; a merge request when the pipeline's
    /// source is <c>merge_request_event</c> or the ref is a merge request's (<c>refs/merge-requests/N/head</c>); the
    /// default branch when it is the project's <paramref name="defaultBranch"/>, another branch when that is known and
    /// differs; null when unknown (no ref, or the default branch not known yet).
    /// </summary>
    public static JobRefKind? Classify(string? reference, bool? tag, string? pipelineSource, string? defaultBranch)
    {
        if (tag == true)
        {
            return JobRefKind.Tag;
        }

        if (pipelineSource == "merge_request_event" || reference?.StartsWith("refs/merge-requests/", StringComparison.Ordinal) == true)
        {
            return JobRefKind.PullRequest;
        }

        if (reference is null || defaultBranch is null)
        {
            return null;
        }

        return string.Equals(reference, defaultBranch, StringComparison.Ordinal) ? JobRefKind.DefaultBranch : JobRefKind.Branch;
    }

    /// <summary>What a job record of the jobs API tells of its ref, given the project's default branch (null when unknown).</summary>
    public static JobRefKind? ClassifyRecord(JsonElement job, string? defaultBranch) => Classify(
        Text(job, "ref"),
        Bool(job, "tag"),
        job.TryGetProperty("pipeline", out var pipeline) && pipeline.ValueKind == JsonValueKind.Object ? Text(pipeline, "source") : null,
        defaultBranch);

    internal static bool? Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    /// <summary>The project's path (<c>group/sub/project</c>) from <c>repository.homepage</c>, or null.</summary>
    public static string? ProjectPath(JsonElement root) =>
        root.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object
        && Text(repository, "homepage") is { } homepage && Uri.TryCreate(homepage, UriKind.Absolute, out var url)
            ? Uri.UnescapeDataString(url.AbsolutePath.Trim('/'))
            : null;

    /// <summary>GitLab's two time formats: <c>2023-01-10 13:50:02 UTC</c> and ISO 8601.</summary>
    public static DateTimeOffset? Time(JsonElement root, string name)
    {
        if (Text(root, name) is not { } text)
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var utc))
        {
            return utc;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var iso) ? iso : null;
    }

    /// <summary>A job's <c>tag_list</c> (as the jobs API returns it), empty tags left out; empty when absent.</summary>
    public static IReadOnlyList<string> Tags(JsonElement job) =>
        job.TryGetProperty("tag_list", out var list) && list.ValueKind == JsonValueKind.Array
            ? [.. list.EnumerateArray().Select(t => t.GetString() ?? string.Empty).Where(t => t.Length > 0)]
            : [];

    internal static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    internal static bool Long(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out value);
    }
}
