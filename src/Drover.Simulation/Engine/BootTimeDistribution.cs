using System.Globalization;

namespace Drover.Simulation.Engine;

/// <summary>How long a simulated runner takes from create to registered.</summary>
public sealed record BootTimeDistribution
{
    public BootTimeKind Kind { get; init; }

    /// <summary>Fixed: the boot time. LogNormal: the median. Uniform: the minimum. Seconds.</summary>
    public double Seconds { get; init; }

    /// <summary>LogNormal: sigma of the underlying normal.</summary>
    public double Sigma { get; init; }

    /// <summary>Uniform: the maximum, seconds.</summary>
    public double MaxSeconds { get; init; }

    public static BootTimeDistribution Fixed(double seconds) => new() { Kind = BootTimeKind.Fixed, Seconds = seconds };

    public static BootTimeDistribution LogNormal(double medianSeconds, double sigma) => new() { Kind = BootTimeKind.LogNormal, Seconds = medianSeconds, Sigma = sigma };

    public static BootTimeDistribution Uniform(double minSeconds, double maxSeconds) => new() { Kind = BootTimeKind.Uniform, Seconds = minSeconds, MaxSeconds = maxSeconds };

    /// <summary>The median boot time, used where one figure stands for the distribution (e.g. the oracle).</summary>
    public double MedianSeconds => Kind == BootTimeKind.Uniform ? (Seconds + MaxSeconds) / 2 : Seconds;

    /// <summary>Draws one boot time in seconds. Fixed boot times draw nothing from <paramref name="random"/>.</summary>
    public double Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return Kind switch
        {
            BootTimeKind.Fixed => Seconds,
            BootTimeKind.LogNormal => Seconds * Math.Exp(Sigma * Distributions.StandardNormal(random)),
            BootTimeKind.Uniform => Seconds + ((MaxSeconds - Seconds) * random.NextDouble()),
            _ => throw new InvalidOperationException($"unknown boot time kind {Kind}"),
        };
    }

    /// <summary>Adds a message to <paramref name="errors"/> for each problem.</summary>
    public void Validate(List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!double.IsFinite(Seconds) || Seconds < 0)
        {
            errors.Add("boot time must be a finite number of seconds of at least 0");
        }

        if (Kind == BootTimeKind.LogNormal && (!double.IsFinite(Sigma) || Sigma < 0))
        {
            errors.Add("boot time sigma must be finite and at least 0");
        }

        if (Kind == BootTimeKind.Uniform && (!double.IsFinite(MaxSeconds) || MaxSeconds < Seconds))
        {
            errors.Add("uniform boot time maximum must be finite and at least the minimum");
        }
    }

    public override string ToString() => Kind switch
    {
        BootTimeKind.Fixed => string.Create(CultureInfo.InvariantCulture, $"{Seconds:0.#}s"),
        BootTimeKind.LogNormal => string.Create(CultureInfo.InvariantCulture, $"lognormal(median {Seconds:0.#}s, sigma {Sigma:0.##})"),
        _ => string.Create(CultureInfo.InvariantCulture, $"uniform({Seconds:0.#}s..{MaxSeconds:0.#}s)"),
    };
}
