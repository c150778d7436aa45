using Drover.Core.Traces;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Reports;

/// <summary>The outcome of comparing policies on one trace: every policy's figures, the oracle bound, and how the trace was read.</summary>
public sealed record SimulationReport
{
    /// <summary>Trace name and scenario, e.g. <c>conda-forge-github-actions-2024.csv, boot 60s, seed 1</c>.</summary>
    public required string Title { get; init; }

    /// <summary>How the trace was turned into jobs (e.g. completions treated as arrivals) and other caveats.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    public required SimulationResult Oracle { get; init; }

    public required IReadOnlyList<SimulationResult> Results { get; init; }

    /// <summary>A policy's runner-minutes as a multiple of the oracle's.</summary>
    public double RatioToOracle(SimulationResult result) =>
        Oracle.RunnerMinutes > 0 ? result.RunnerMinutes / Oracle.RunnerMinutes : double.NaN;

    /// <summary>
    /// The results no other result beats on both p95 wait and runner-minutes (the Pareto front). A run that left jobs
    /// unrun is never on it: its figures leave out the work it failed to do.
    /// </summary>
    public IReadOnlyList<SimulationResult> Frontier()
    {
        var complete = Results.Where(IsComplete).ToList();
        return complete.Where(r => !complete.Any(o => Dominates(o, r))).ToList();
    }

    /// <summary>True when every job of the trace ran to completion in the run.</summary>
    public static bool IsComplete(SimulationResult result) => result.JobsCompleted >= result.Jobs;

    /// <summary>True when <paramref name="a"/> has both lower p95 wait and fewer runner-minutes than <paramref name="b"/>.</summary>
    public static bool Dominates(SimulationResult a, SimulationResult b) =>
        a.WaitP95Seconds < b.WaitP95Seconds && a.RunnerMinutes < b.RunnerMinutes;
}
