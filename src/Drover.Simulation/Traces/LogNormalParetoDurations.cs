using System.Globalization;

namespace Drover.Simulation.Traces;

/// <summary>
/// Heavy-tailed run times: a lognormal body, and with probability <see cref="TailProbability"/> a Pareto tail
/// (scale <see cref="TailScaleSeconds"/>, shape <see cref="TailAlpha"/>), all capped. Each sample draws one
/// uniform to pick body or tail, then two (body) or one (tail) more.
/// </summary>
public sealed record LogNormalParetoDurations : IDurationDistribution
{
    public LogNormalParetoDurations(
        double medianSeconds,
        double sigma,
        double tailProbability,
        double tailScaleSeconds,
        double tailAlpha,
        double capSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(medianSeconds);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        ArgumentOutOfRangeException.ThrowIfNegative(tailProbability);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tailProbability, 1.0);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tailScaleSeconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tailAlpha);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capSeconds);
        MedianSeconds = medianSeconds;
        Sigma = sigma;
        TailProbability = tailProbability;
        TailScaleSeconds = tailScaleSeconds;
        TailAlpha = tailAlpha;
        CapSeconds = capSeconds;
    }

    public double MedianSeconds { get; }

    public double Sigma { get; }

    public double TailProbability { get; }

    public double TailScaleSeconds { get; }

    public double TailAlpha { get; }

    public double CapSeconds { get; }

    public string Description => string.Create(
        CultureInfo.InvariantCulture,
        $"lognormal body (median {MedianSeconds:0.###} s, sigma {Sigma:0.0##}) with a {TailProbability:P0} Pareto tail (scale {TailScaleSeconds:0.###} s, alpha {TailAlpha:0.0##}), capped at {CapSeconds:0.###} s");

    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double seconds;
        if (random.NextDouble() < TailProbability)
        {
            seconds = TailScaleSeconds / Math.Pow(1.0 - random.NextDouble(), 1.0 / TailAlpha);
        }
        else
        {
            seconds = MedianSeconds * Math.Exp(Sigma * LogNormalDurations.StandardNormal(random));
        }

        return Math.Min(CapSeconds, seconds);
    }
}
