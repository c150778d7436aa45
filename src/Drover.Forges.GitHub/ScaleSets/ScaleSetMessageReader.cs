using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Drover.Core.Demand;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>
/// Turns a scale-set message, as the listener stores it among the forge's deliveries, into job events:
/// <c>JobAssigned</c> (and <c>JobAvailable</c> the listener acquired) → queued, <c>JobStarted</c> → started with its
/// runner, <c>JobCompleted</c> → completed (cancelled when its result says so). Other message types are ignored. Each
/// event's delivery id is the message's plus its index, so reading a message again (a new leader, the store's copy after
/// the listener's own) changes nothing in the ledger.
/// </summary>
internal static class ScaleSetMessageReader
{
    /// <summary>The header that marks a stored delivery as a scale-set message (never one a webhook keeps).</summary>
    public const string Header = "X-Drover-Scale-Set";

    /// <summary>The stored form: what the listener knew when it took the message, and the message's body as GitHub sent it.</summary>
    public static byte[] Store(string pool, string scaleSet, long scaleSetId, long messageId, IReadOnlyList<string> labels, IReadOnlyCollection<long> acquired, string body) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["pool"] = pool,
            ["scaleSet"] = scaleSet,
            ["scaleSetId"] = scaleSetId,
            ["messageId"] = messageId,
            ["labels"] = new JsonArray([.. labels.Select(l => (JsonNode)JsonValue.Create(l))]),
            ["acquired"] = new JsonArray([.. acquired.Select(a => (JsonNode)JsonValue.Create(a))]),
            ["body"] = body,
        }.ToJsonString());

    /// <summary>The delivery id of a scale set's message.</summary>
    public static string DeliveryId(long scaleSetId, long messageId) => string.Create(CultureInfo.InvariantCulture, $"scaleset-{scaleSetId}-{messageId}");

    /// <summary>The job events of a stored message.</summary>
    /// <exception cref="FormatException">The stored form or the message body cannot be read.</exception>
    public static IReadOnlyList<JobEvent> Read(string forge, string deliveryId, ReadOnlySpan<byte> stored, DateTimeOffset receivedAt)
    {
        try
        {
            using var document = JsonDocument.Parse(stored.ToArray());
            var root = document.RootElement;
            var labels = root.GetProperty("labels").EnumerateArray().Select(l => l.GetString()).OfType<string>().ToList();
            var acquired = root.GetProperty("acquired").EnumerateArray().Select(a => a.GetInt64()).ToHashSet();
            return Events(forge, deliveryId, root.GetProperty("body").GetString() ?? "[]", labels, acquired, receivedAt);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new FormatException($"scale-set message {deliveryId}: {e.Message}", e);
        }
    }

    /// <summary>The job events of a message body (a JSON array of job messages).</summary>
    /// <exception cref="FormatException">The body is not a JSON array of objects.</exception>
    public static IReadOnlyList<JobEvent> Events(string forge, string deliveryId, string body, IReadOnlyList<string> labels, IReadOnlySet<long> acquired, DateTimeOffset receivedAt)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            throw new FormatException($"scale-set message {deliveryId}: the body is not JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"scale-set message {deliveryId}: the body is not a list of job messages");
            }

            var events = new List<JobEvent>();
            var index = 0;
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var i = index++;
                if (item.ValueKind != JsonValueKind.Object || Text(item, "messageType") is not { } type)
                {
                    continue;
                }

                var requestId = item.TryGetProperty("runnerRequestId", out var r) && r.TryGetInt64(out var request) ? request : (long?)null;
                var jobId = Text(item, "jobId") is { Length: > 0 } id ? id : requestId?.ToString(CultureInfo.InvariantCulture);
                if (jobId is null)
                {
                    continue;
                }

                var (kind, at) = type switch
                {
                    "JobAssigned" => (JobEventKind.Queued, Time(item, "scaleSetAssignTime") ?? Time(item, "queueTime")),
                    "JobAvailable" when requestId is { } acquiredId && acquired.Contains(acquiredId) => (JobEventKind.Queued, Time(item, "queueTime")),
                    "JobStarted" => (JobEventKind.Started, Time(item, "runnerAssignTime")),
                    "JobCompleted" => (string.Equals(Text(item, "result"), "canceled", StringComparison.OrdinalIgnoreCase) || string.Equals(Text(item, "result"), "cancelled", StringComparison.OrdinalIgnoreCase)
                        ? JobEventKind.Cancelled
                        : JobEventKind.Completed, Time(item, "finishTime")),
                    _ => ((JobEventKind?)null, (DateTimeOffset?)null),
                };
                if (kind is not { } eventKind)
                {
                    continue;
                }

                var owner = Text(item, "ownerName");
                var repository = Text(item, "repositoryName");
                events.Add(new JobEvent
                {
                    Key = new JobKey(forge, jobId),
                    Kind = eventKind,
                    At = at ?? receivedAt,
                    Labels = labels,
                    Scope = owner is { Length: > 0 } && repository is { Length: > 0 } ? $"{owner}/{repository}" : null,
                    RunnerName = Text(item, "runnerName") is { Length: > 0 } runner ? runner : null,
                    RunId = item.TryGetProperty("workflowRunId", out var run) && run.TryGetInt64(out var runId) ? runId : null,

                    // The message names the run's event; a pull request's jobs are told apart by it (the branch is not given).
                    RefKind = Text(item, "eventName") is { } eventName && eventName.StartsWith("pull_request", StringComparison.Ordinal) ? JobRefKind.PullRequest : null,
                    DeliveryId = string.Create(CultureInfo.InvariantCulture, $"{deliveryId}/{i}"),
                });
            }

            return events;
        }
    }

    /// <summary>The runner request ids of the body's <c>JobAvailable</c> messages.</summary>
    public static IReadOnlyList<long> Available(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind != JsonValueKind.Array ? [] :
                [.. document.RootElement.EnumerateArray()
                    .Where(i => i.ValueKind == JsonValueKind.Object && Text(i, "messageType") == "JobAvailable" && i.TryGetProperty("runnerRequestId", out var r) && r.TryGetInt64(out _))
                    .Select(i => i.GetProperty("runnerRequestId").GetInt64())];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Text(JsonElement item, string name) =>
        item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement item, string name) =>
        Text(item, name) is { Length: > 0 } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) && at.Year > 1
            ? at
            : null;
}
