namespace Drover.Simulation.Traces;

/// <summary>A stretch of a rate series with no rows at all (not zero rows: no data).</summary>
public readonly record struct RateGap(DateTimeOffset From, DateTimeOffset To, long MissingBins);
