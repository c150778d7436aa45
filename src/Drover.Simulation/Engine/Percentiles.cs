namespace Drover.Simulation.Engine;

/// <summary>Nearest-rank percentiles.</summary>
public static class Percentiles
{
    /// <summary>The nearest-rank <paramref name="p"/> quantile (0..1) of values already sorted ascending; 0 when empty.</summary>
    public static double OfSorted(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(p * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }
}
