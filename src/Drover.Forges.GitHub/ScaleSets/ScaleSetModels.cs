using System.Text.Json;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>A runner scale set as the Actions service describes it.</summary>
/// <param name="Id">Its id.</param>
/// <param name="Name">Its name.</param>
/// <param name="RunnerGroupId">Its runner group.</param>
/// <param name="Labels">Its labels (the name included).</param>
internal sealed record ScaleSetInfo(long Id, string Name, long RunnerGroupId, IReadOnlyList<string> Labels)
{
    public static ScaleSetInfo Read(JsonElement json) => new(
        json.GetProperty("id").GetInt64(),
        json.TryGetProperty("name", out var n) ? n.GetString() ?? string.Empty : string.Empty,
        json.TryGetProperty("runnerGroupId", out var g) && g.TryGetInt64(out var group) ? group : 1,
        json.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array
            ? [.. l.EnumerateArray().Select(x => x.TryGetProperty("name", out var ln) ? ln.GetString() : null).OfType<string>()]
            : []);
}

/// <summary>The statistics the service reports for a scale set (named as GitHub names them).</summary>
internal sealed record ScaleSetStatistics(long AvailableJobs, long AcquiredJobs, long AssignedJobs, long RunningJobs, long RegisteredRunners, long BusyRunners, long IdleRunners)
{
    public static ScaleSetStatistics? Read(JsonElement owner)
    {
        if (!owner.TryGetProperty("statistics", out var s) || s.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        long Get(string name) => s.TryGetProperty(name, out var v) && v.TryGetInt64(out var value) ? value : 0;
        return new ScaleSetStatistics(
            Get("totalAvailableJobs"), Get("totalAcquiredJobs"), Get("totalAssignedJobs"), Get("totalRunningJobs"),
            Get("totalRegisteredRunners"), Get("totalBusyRunners"), Get("totalIdleRunners"));
    }
}

/// <summary>An open message session (its queue token is a secret).</summary>
internal sealed class ScaleSetSession
{
    public required string Id { get; init; }

    public required Uri QueueUrl { get; init; }

    public required string QueueToken { get; set; }

    /// <summary>When the queue token expires, read (unverified) from the JWT; null when it cannot be read.</summary>
    public DateTimeOffset? TokenExpiresAt { get; set; }

    public ScaleSetStatistics? Statistics { get; set; }
}

/// <summary>One message of the queue.</summary>
/// <param name="Id">The message id (what <c>lastMessageId</c> carries).</param>
/// <param name="Body">The <c>body</c>: a JSON array of job messages, as text.</param>
/// <param name="Statistics">The statistics sent with it.</param>
internal sealed record ScaleSetMessage(long Id, string Body, ScaleSetStatistics? Statistics);

/// <summary>A runner registration as the Actions service lists it.</summary>
internal sealed record ScaleSetRunner(long Id, string Name, long ScaleSetId, bool Online, bool Busy);
