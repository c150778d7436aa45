using System.Globalization;
using System.Text;

namespace Drover.Benchmarks.Scale;

/// <summary>What a burst of <c>bench scale</c> measured.</summary>
internal sealed record BurstResult
{
    public required string Forge { get; init; }

    public required BurstOptions Options { get; init; }

    public int CreatesIssued { get; init; }

    /// <summary>From the jobs' queueing to the last create call; null when not all were issued within the limit.</summary>
    public TimeSpan? AllCreated { get; init; }

    /// <summary>From the jobs' queueing to every runner idle in the leader's view; null when not within the limit.</summary>
    public TimeSpan? AllReady { get; init; }

    /// <summary>The least time the forge's limit allows for every credential to be minted.</summary>
    public TimeSpan Fastest { get; init; }

    /// <summary>What <see cref="Fastest"/> is computed from, when not the credential endpoint's points alone.</summary>
    public string? FastestBasis { get; init; }

    public int Refused { get; init; }

    public int RefusedWithinAnotherWindow { get; init; }

    public required IReadOnlyDictionary<string, int> Requests { get; init; }

    /// <summary>The event log by kind.</summary>
    public IReadOnlyList<(string Value, long Count)> Events { get; init; } = [];

    /// <summary>Runners by failure reason (cut to 90 characters; "(none)" for runners that did not fail).</summary>
    public IReadOnlyList<(string Value, long Count)> RunnerFailures { get; init; } = [];

    public override string ToString()
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(Forge == "gitlab"
            ? string.Create(c, $"burst [{Forge}] {Options.Jobs} jobs, limit {Options.GitLabRequestsPerWindow} API requests per {Options.Window.TotalSeconds:0}s per user, boot {Options.Boot.TotalSeconds:0.#}s, maxConcurrentCreates {Options.MaxConcurrentCreates}")
            : string.Create(c, $"burst [{Forge}] {Options.Jobs} jobs, limit {Options.PointsPerWindow} points per {Options.Window.TotalSeconds:0}s per endpoint (POST 5), boot {Options.Boot.TotalSeconds:0.#}s, maxConcurrentCreates {Options.MaxConcurrentCreates}"));
        text.AppendLine(c, $"  creates issued {CreatesIssued}; all issued after {Seconds(AllCreated)}, fastest the limit allows {Fastest.TotalSeconds:0.0}s => {(AllCreated is { } t && t > TimeSpan.Zero ? Math.Min(1, Fastest / t) * 100 : 0):0.0}% of the allowed rate");
        if (FastestBasis is not null)
        {
            text.AppendLine(c, $"  fastest from: {FastestBasis}");
        }

        text.AppendLine(c, $"  all {Options.Jobs} runners ready after {Seconds(AllReady)}");
        text.AppendLine(c, $"  refused by the {(Forge == "gitlab" ? "API" : "secondary")} limit: {Refused}, of them {RefusedWithinAnotherWindow} within an earlier refusal's Retry-After (goal 0)");
        foreach (var (endpoint, count) in Requests.OrderByDescending(r => r.Value))
        {
            text.AppendLine(c, $"    {count,6} {endpoint}");
        }

        text.AppendLine("  events: " + string.Join(", ", Events.Select(e => $"{e.Value} {e.Count}")));
        foreach (var (reason, count) in RunnerFailures)
        {
            text.AppendLine(c, $"    {count,6} runners, failure: {reason}");
        }

        return text.ToString();
    }

    private static string Seconds(TimeSpan? span) => span is { } s ? s.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s" : "not within the limit";
}
