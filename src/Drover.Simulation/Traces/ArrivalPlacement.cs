namespace Drover.Simulation.Traces;

/// <summary>How a rate series' counts become job arrival times.</summary>
public enum ArrivalPlacement
{
    /// <summary>Each counted job arrives uniformly at random within its bin (the planning scenario's expansion).</summary>
    WithinBin,

    /// <summary>
    /// The series counts completions: each completion is placed uniformly at random within its bin, and the job
    /// arrives its drawn duration earlier.
    /// </summary>
    ShiftBackByDuration,
}
