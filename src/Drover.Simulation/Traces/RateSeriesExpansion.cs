using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>Settings for turning a <see cref="RateSeries"/> into jobs.</summary>
public sealed record RateSeriesExpansion
{
    /// <summary>Seed of the one <see cref="Random"/> that places arrivals and draws durations.</summary>
    public int Seed { get; init; } = 1;

    public IDurationDistribution Durations { get; init; } = LogNormalDurations.PlanningScenario;

    public ArrivalPlacement Placement { get; init; } = ArrivalPlacement.WithinBin;

    /// <summary>Labels every generated job asks for.</summary>
    public LabelSet Labels { get; init; } = LabelSet.Create(["linux"]);

    public string? Scope { get; init; }
}
