namespace Drover.Simulation.Engine;

/// <summary>The figures of one simulation run (or of the oracle); serialisable with System.Text.Json.</summary>
public sealed record SimulationResult
{
    /// <summary>The policy (or baseline variant) simulated.</summary>
    public required string Policy { get; init; }

    /// <summary>The pools, boot time, failure and delivery settings, in one line.</summary>
    public required string Config { get; init; }

    public int Seed { get; init; }

    public int Jobs { get; init; }

    public int JobsCompleted { get; init; }

    public double WaitP50Seconds { get; init; }

    public double WaitP95Seconds { get; init; }

    public double WaitP99Seconds { get; init; }

    public double WaitMaxSeconds { get; init; }

    public double WaitMeanSeconds { get; init; }

    /// <summary>Booting + idle + busy minutes of every runner.</summary>
    public double RunnerMinutes { get; init; }

    public double BootingMinutes { get; init; }

    public double IdleMinutes { get; init; }

    public double BusyMinutes { get; init; }

    public double OnDemandCost { get; init; }

    public double SpotCost { get; init; }

    public double Cost => OnDemandCost + SpotCost;

    public int SpotInterruptions { get; init; }

    public int JobsRequeued { get; init; }

    public int PeakRunners { get; init; }

    public int RunnersCreated { get; init; }

    public int CreationFailures { get; init; }

    /// <summary>How many times the planner ran.</summary>
    public long Plans { get; init; }

    /// <summary>Runners still alive when the run stopped.</summary>
    public int RunnersLeft { get; init; }

    /// <summary>Virtual seconds from the scenario start to the end of the run.</summary>
    public double EndSeconds { get; init; }

    public IReadOnlyList<TimeSeriesPoint> Series { get; init; } = [];
}
