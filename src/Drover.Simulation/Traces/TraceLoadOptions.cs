namespace Drover.Simulation.Traces;

/// <summary>How <see cref="TraceReader"/> fills in what a source does not record.</summary>
public sealed record TraceLoadOptions
{
    /// <summary>Seed for every random choice (arrival positions, durations). The planning scenario uses 1.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Run times for rate series; the planning scenario's lognormal by default.</summary>
    public IDurationDistribution Durations { get; init; } = LogNormalDurations.PlanningScenario;

    /// <summary>Where counted jobs arrive; within their bin by default, as the planning scenario does.</summary>
    public ArrivalPlacement Placement { get; init; } = ArrivalPlacement.WithinBin;

    /// <summary>Bin width of a <c>bin_start,count</c> series; inferred from the rows when null.</summary>
    public TimeSpan? BinWidth { get; init; }

    /// <summary>Labels of jobs from sources without labels (rate series).</summary>
    public IReadOnlyList<string> DefaultLabels { get; init; } = ["linux"];

    /// <summary>Treeherder: add <c>os_name</c> as a second label next to <c>platform</c>.</summary>
    public bool TreeherderOsNameLabel { get; init; }

    /// <summary>Name of the loaded trace; the file name without extension when null.</summary>
    public string? Name { get; init; }
}
