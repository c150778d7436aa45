using System.Globalization;

namespace Drover.Simulation.Traces;

/// <summary>
/// Lognormal run times: <c>median × exp(sigma × z)</c> with z standard normal, capped. Each sample draws two
/// uniforms (Box–Muller, cosine branch only), so a seed gives the same sequence everywhere.
/// </summary>
public sealed record LogNormalDurations : IDurationDistribution
{
    public LogNormalDurations(double medianSeconds, double sigma, double capSeconds = double.PositiveInfinity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(medianSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capSeconds);
        if (!double.IsFinite(medianSeconds) || !double.IsFinite(sigma))
        {
            throw new ArgumentOutOfRangeException(nameof(medianSeconds), "median and sigma must be finite");
        }

        MedianSeconds = medianSeconds;
        Sigma = sigma;
        CapSeconds = capSeconds;
    }

    /// <summary>The planning scenario's durations: median 300 s, sigma 1.0, capped at 6 h.</summary>
    public static LogNormalDurations PlanningScenario { get; } = new(300, 1.0, 6 * 3600);

    public double MedianSeconds { get; }

    public double Sigma { get; }

    public double CapSeconds { get; }

    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"lognormal median {MedianSeconds:0.###} s, sigma {Sigma:0.0##}{(double.IsFinite(CapSeconds) ? $", capped at {CapSeconds:0.###} s" : string.Empty)}");

    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Math.Min(CapSeconds, MedianSeconds * Math.Exp(Sigma * StandardNormal(random)));
    }

    /// <summary>A standard normal variate from two uniforms (Box–Muller).</summary>
    internal static double StandardNormal(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
