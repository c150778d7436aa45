namespace Drover.Simulation.Engine;

/// <summary>Draws from the distributions the simulator needs, always from the run's one seeded <see cref="Random"/>.</summary>
public static class Distributions
{
    /// <summary>A standard normal draw (Box-Muller, one of the pair).</summary>
    public static double StandardNormal(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>An exponential draw with the given rate (events per unit); infinity when the rate is 0.</summary>
    public static double Exponential(Random random, double rate)
    {
        ArgumentNullException.ThrowIfNull(random);
        return rate <= 0 ? double.PositiveInfinity : -Math.Log(1.0 - random.NextDouble()) / rate;
    }

    /// <summary>A Poisson draw with the given mean (Knuth's method for small means, a rounded normal for large ones).</summary>
    public static int Poisson(Random random, double mean)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (mean <= 0)
        {
            return 0;
        }

        if (mean > 60)
        {
            return Math.Max(0, (int)Math.Round(mean + (Math.Sqrt(mean) * StandardNormal(random))));
        }

        var limit = Math.Exp(-mean);
        var product = random.NextDouble();
        var count = 0;
        while (product > limit)
        {
            count++;
            product *= random.NextDouble();
        }

        return count;
    }
}
