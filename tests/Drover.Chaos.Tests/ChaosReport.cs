using System.Globalization;
using System.Text;
using Drover.Testing.GitHub;

namespace Drover.Chaos.Tests;

/// <summary>What one chaos run did and saw, and the invariants it broke (<see cref="Violations"/>, empty when every one held).</summary>
internal sealed class ChaosReport
{
    public required int Seed { get; init; }

    public required string Marker { get; init; }

    /// <summary>The matchable jobs queued (emulator ids).</summary>
    public List<long> Jobs { get; } = [];

    /// <summary>The job no pool takes.</summary>
    public long UnmatchableJob { get; set; }

    /// <summary>Every stop of the server: signal, the burst's phase, exit code (SIGTERM) and how long the exit took.</summary>
    public List<Stop> Stops { get; } = [];

    /// <summary>Jobs whose runner process was killed under them (spot interruptions): job id and runner.</summary>
    public List<(long Job, string Runner)> Interrupted { get; } = [];

    /// <summary>Runner instances (processes, pods) running right after each kill point's stop.</summary>
    public List<int> RunningRightAfterStops { get; } = [];

    /// <summary>What a runner instance is called (e.g. "runner process", "pod").</summary>
    public string Noun { get; set; } = "runner process";

    /// <summary>The plural of <see cref="Noun"/>.</summary>
    public string Nouns { get; set; } = "runner processes";

    /// <summary>For each restart of a single replica: the stop before it, and how long until the replica led again (null: not within 40 s).</summary>
    public List<(Stop After, TimeSpan? Lead)> LeadAfterRestart { get; } = [];

    public TimeSpan BurstEndedAt { get; set; }

    public TimeSpan? AllCompletedAt { get; set; }

    /// <summary>When the faults stopped and the grace window began.</summary>
    public TimeSpan SettleStartedAt { get; set; }

    public TimeSpan Took { get; set; }

    /// <summary>The event log (<c>GET /api/v1/events</c>) at the end of the run.</summary>
    public List<Event> Events { get; set; } = [];

    /// <summary><c>runner.delete.succeeded</c> events whose runner's process was still running 2 s after the event (seen while the run went on).</summary>
    public List<string> DeleteLies { get; } = [];

    /// <summary>Runners the API still lists as not gone at the end of the run.</summary>
    public int ApiLiveRunners { get; set; }

    public WorldState World { get; set; } = null!;

    public Dictionary<string, int> FaultsInjected { get; set; } = [];

    /// <summary>Faults injected into the provider's API, by kind (none for the process provider).</summary>
    public IReadOnlyDictionary<string, int> ProviderFaultsInjected { get; set; } = new Dictionary<string, int>();

    /// <summary>The provider's API calls answered.</summary>
    public int ProviderApiCalls { get; set; }

    public (int Sent, int Dropped, int Duplicated, int Reordered) Webhooks { get; set; }

    /// <summary>Each broken invariant, with what was observed.</summary>
    public List<string> Violations { get; } = [];

    /// <summary>A summary for the test output and the failure message.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"chaos run seed {Seed} ({Nouns}): {Jobs.Count} matchable jobs + 1 unmatchable, {Stops.Count(s => s.Signal != "SIGTERM (end of run)")} kill points, {Took.TotalSeconds:F0} s");
        text.AppendLine(CultureInfo.InvariantCulture, $"  forge faults injected: {string.Join(", ", FaultsInjected.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Value} {f.Key}"))}; {World.Requests.Count} REST calls");
        if (ProviderApiCalls > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  provider API faults injected: {string.Join(", ", ProviderFaultsInjected.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Value} {f.Key}"))}; {ProviderApiCalls} API calls");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  webhooks: {Webhooks.Sent} posted, {Webhooks.Dropped} lost, {Webhooks.Duplicated} duplicated, {Webhooks.Reordered} reordered");
        foreach (var stop in Stops)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {stop.Signal} during [{stop.Phase}]{(stop.Signal.StartsWith("SIGTERM", StringComparison.Ordinal) ? $": exit {stop.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"} after {stop.Took.TotalSeconds:F2} s" : string.Empty)}");
        }

        if (Interrupted.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  spot interruptions ({Noun} lost under its job): {string.Join(", ", Interrupted.Select(i => $"job {i.Job} on {i.Runner}"))}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"  {Nouns} running right after each stop: [{string.Join(", ", RunningRightAfterStops)}]; leads again after restart: [{string.Join(", ", LeadAfterRestart.Select(l => l.Lead is { } t ? $"{t.TotalSeconds:F1} s" : "> 40 s"))}]");
        text.AppendLine(CultureInfo.InvariantCulture, $"  burst ended {BurstEndedAt.TotalSeconds:F0} s, every matchable job completed {(AllCompletedAt is { } a ? $"at {a.TotalSeconds:F0} s" : "never")}, faults stopped at {SettleStartedAt.TotalSeconds:F0} s; {World.Sessions.Count} runner sessions opened, {World.Minted.Count} registrations minted");
        text.AppendLine(CultureInfo.InvariantCulture, $"  events: {string.Join(", ", Events.GroupBy(e => e.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"))}");
        text.AppendLine(Violations.Count == 0 ? "  every invariant held" : $"  {Violations.Count} invariant(s) broken:");
        foreach (var violation in Violations)
        {
            text.AppendLine("  - " + violation);
        }

        return text.ToString();
    }

    /// <summary>One stop of the server.</summary>
    public sealed record Stop(string Signal, string Phase, int? ExitCode, TimeSpan Took);

    /// <summary>One entry of the event log.</summary>
    public sealed record Event(long Id, string Kind, string Subject, string Message);

    /// <summary>
    /// The world at the end of the run, as the emulators and /proc see it: the forge's jobs, registrations, runner sessions,
    /// mints, REST calls and the re-runs carried out; the provider's runner instances, what else runners left (secrets),
    /// and the duplicate instances of one idempotency key seen during the run.
    /// </summary>
    public sealed record WorldState(
        IReadOnlyList<EmulatedJob> Jobs,
        IReadOnlyList<EmulatedRunner> Registrations,
        IReadOnlyList<RunnerSession> Sessions,
        IReadOnlyList<(long Id, string Name)> Minted,
        IReadOnlyList<string> Requests,
        IReadOnlyList<long> Reruns,
        IReadOnlyList<ChaosInstance> Instances,
        IReadOnlyList<string> LeftObjects,
        IReadOnlyList<string> Duplicates);
}
