using Drover.Simulation.Engine;

namespace Drover.Simulation.FleetPlanning;

/// <summary>One value of a sweep: the swept pool's figures and the whole fleet's runner-minutes and cost with it.</summary>
public sealed record SweepPoint
{
    /// <summary>The value, as the setting gives it (e.g. <c>3</c>, <c>5m</c>).</summary>
    public required string Value { get; init; }

    /// <summary>The swept pool's figures.</summary>
    public required SliceResult Pool { get; init; }

    /// <summary>Runner-minutes of every simulated pool.</summary>
    public double FleetRunnerMinutes { get; init; }

    /// <summary>Cost of every simulated pool.</summary>
    public double FleetCost { get; init; }

    /// <summary>True when every job of the swept pool started.</summary>
    public bool Complete => Pool.JobsStarted >= Pool.Jobs;
}
