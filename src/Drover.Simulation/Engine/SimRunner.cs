using Drover.Core.Runners;

namespace Drover.Simulation.Engine;

/// <summary>A simulated runner: Drover's record of it plus what only the simulated world knows.</summary>
internal sealed class SimRunner(Runner record, int pool, bool spot)
{
    /// <summary>The record the planner sees; changed only through <see cref="RunnerLifecycle.Transition"/>.</summary>
    public Runner Record { get; set; } = record;

    /// <summary>Index of the runner's pool in the fleet's pool list.</summary>
    public int Pool { get; } = pool;

    /// <summary>True when the runner runs on (and is billed as) spot capacity.</summary>
    public bool Spot { get; } = spot;

    /// <summary>The trace job it runs while busy; -1 otherwise.</summary>
    public int Job { get; set; } = -1;

    /// <summary>Seconds of billed time (booting, idle, busy) charged so far.</summary>
    public decimal BilledSeconds { get; set; }

    /// <summary>When the runner entered its current billed bucket (ticks).</summary>
    public long BilledFrom { get; set; }

    /// <summary>Bumped on every job start, so a stale completion event is recognised.</summary>
    public int Incarnation { get; set; }

    public bool IsGone => Record.State == RunnerState.Gone;

    public static RunnerBucket BucketOf(RunnerState state) => state switch
    {
        RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering => RunnerBucket.Booting,
        RunnerState.Idle => RunnerBucket.Idle,
        RunnerState.Busy => RunnerBucket.Busy,
        _ => RunnerBucket.None,
    };
}
