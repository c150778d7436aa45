namespace Drover.Simulation.FleetPlanning;

/// <summary>The outcome of one sweep: the field, its configured value and one point per value.</summary>
public sealed record SweepResult
{
    /// <summary><c>pools.NAME.FIELD</c>.</summary>
    public required string Path { get; init; }

    public required string Pool { get; init; }

    public required string Field { get; init; }

    /// <summary>The value the fleet file (with any <c>--set</c>) gives the field.</summary>
    public required string Configured { get; init; }

    /// <summary>One point per value, in sweep order.</summary>
    public required IReadOnlyList<SweepPoint> Points { get; init; }
}
