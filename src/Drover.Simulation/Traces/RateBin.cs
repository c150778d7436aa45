namespace Drover.Simulation.Traces;

/// <summary>One row of a rate series: how many jobs the bin starting at <see cref="StartUnixMs"/> holds.</summary>
public readonly record struct RateBin(long StartUnixMs, int Count)
{
    public DateTimeOffset Start => DateTimeOffset.FromUnixTimeMilliseconds(StartUnixMs);
}
