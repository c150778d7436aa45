namespace Drover.Simulation.Traces;

/// <summary>Where job run times come from when the source has none. Draws only from the random source it is given.</summary>
public interface IDurationDistribution
{
    /// <summary>One run time in seconds (finite, not negative).</summary>
    double Sample(Random random);

    /// <summary>One line for a trace's notes, e.g. <c>lognormal median 300 s, sigma 1.0, capped at 21600 s</c>.</summary>
    string Description { get; }
}
