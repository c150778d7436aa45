using Drover.Simulation.Engine;
using Drover.Simulation.FleetPlanning;

namespace Drover.Simulation.Reports;

/// <summary>
/// A trace replayed against the user's own fleet (<c>drover simulate --config</c>): figures per pool, per team and in
/// total, the jobs no pool takes, each sweep's wait/cost curve and what it suggests per pool.
/// </summary>
public sealed record FleetReport
{
    /// <summary>Fleet file, trace, boot and seed in one line.</summary>
    public required string Title { get; init; }

    /// <summary>How the trace was read and what the simulation leaves out.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The forge the trace's jobs come from.</summary>
    public required string Forge { get; init; }

    /// <summary>The <c>--set</c> changes made to the file's fleet, as written.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>The p95 wait a recommendation aims for, seconds.</summary>
    public double TargetWaitSeconds { get; init; }

    /// <summary>The fleet as configured (with the <c>--set</c> changes): total, <see cref="SimulationResult.Pools"/> and <see cref="SimulationResult.Teams"/>.</summary>
    public required SimulationResult Result { get; init; }

    /// <summary>Jobs of the trace that no pool takes, by label set and scope.</summary>
    public IReadOnlyList<UnmatchedRequest> Unmatched { get; init; } = [];

    /// <summary>How many jobs of the trace no pool takes.</summary>
    public int UnmatchedJobs => Unmatched.Sum(u => u.Jobs);

    /// <summary>Pools of the fleet's other forges, not simulated.</summary>
    public IReadOnlyList<string> OtherForgePools { get; init; } = [];

    public IReadOnlyList<SweepResult> Sweeps { get; init; } = [];

    public IReadOnlyList<PoolRecommendation> Recommendations { get; init; } = [];
}
