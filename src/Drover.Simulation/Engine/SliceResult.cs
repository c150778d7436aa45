namespace Drover.Simulation.Engine;

/// <summary>The figures of one part of a simulated fleet — a pool, or a team's pools together; serialisable with System.Text.Json.</summary>
public sealed record SliceResult
{
    /// <summary>The pool's or team's name (<c>(none)</c> for the pools with no team).</summary>
    public required string Name { get; init; }

    /// <summary>Jobs the matcher sent to it.</summary>
    public int Jobs { get; init; }

    /// <summary>Of those, the jobs that started on a runner before the run ended.</summary>
    public int JobsStarted { get; init; }

    public double WaitP50Seconds { get; init; }

    public double WaitP95Seconds { get; init; }

    public double WaitMaxSeconds { get; init; }

    /// <summary>Booting + idle + busy minutes of its runners.</summary>
    public double RunnerMinutes { get; init; }

    public double IdleMinutes { get; init; }

    /// <summary>What its runners cost, in the run's currency.</summary>
    public double Cost { get; init; }

    /// <summary>Most runners (booting, idle or busy) it had at once; for a team, the sum of its pools' peaks.</summary>
    public int PeakRunners { get; init; }
}
