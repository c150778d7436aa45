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
    /// The Pareto frontier: the complete results that no other complete result dominates (see <see cref="Dominates"/>),
    /// cheapest first. Two results with the same p95 wait and the same runner-minutes are both on it. A run that left
    /// jobs unrun is never on it: its figures leave out the work it failed to do.
    /// </summary>
    public IReadOnlyList<SimulationResult> Frontier()
    {
        var complete = Results.Where(IsComplete).ToList();
        return complete.Where(r => !complete.Any(o => Dominates(o, r)))
            .OrderBy(r => r.RunnerMinutes).ThenBy(r => r.WaitP95Seconds).ToList();
    }

    /// <summary>
    /// The knee of the frontier: the point past which more runner-minutes stop buying much shorter waits — the frontier
    /// point farthest from the straight line between its cheapest and its fastest end, both axes scaled to the
    /// frontier's range. Null when the frontier has fewer than three points (there is no bend to find).
    /// </summary>
    public SimulationResult? Knee()
    {
        var frontier = Frontier();
        if (frontier.Count < 3)
        {
            return null;
        }

        var (cheap, fast) = (frontier[0], frontier[^1]);
        var minutesRange = fast.RunnerMinutes - cheap.RunnerMinutes;
        var waitRange = cheap.WaitP95Seconds - fast.WaitP95Seconds;
        if (minutesRange <= 0 || waitRange <= 0)
        {
            return null;
        }

        // Scaled, the ends are (0, 1) and (1, 0); the distance of (x, y) from the line x + y = 1 grows with 1 - x - y.
        SimulationResult? knee = null;
        var farthest = 0.0;
        foreach (var r in frontier)
        {
            var x = (r.RunnerMinutes - cheap.RunnerMinutes) / minutesRange;
            var y = (r.WaitP95Seconds - fast.WaitP95Seconds) / waitRange;
            var distance = 1 - x - y;
            if (distance > farthest)
            {
                (knee, farthest) = (r, distance);
            }
        }

        return knee;
    }

    /// <summary>True when every job of the trace ran to completion in the run.</summary>
    public static bool IsComplete(SimulationResult result) => result.JobsCompleted >= result.Jobs;

    /// <summary>
    /// True when <paramref name="a"/> is at least as good as <paramref name="b"/> on both p95 wait and runner-minutes and
    /// better on one: a policy that waits as long for more runner-minutes is dominated, as is one that costs the same
    /// and waits longer.
    /// </summary>
    public static bool Dominates(SimulationResult a, SimulationResult b) =>
        a.WaitP95Seconds <= b.WaitP95Seconds && a.RunnerMinutes <= b.RunnerMinutes
        && (a.WaitP95Seconds < b.WaitP95Seconds || a.RunnerMinutes < b.RunnerMinutes);
}
