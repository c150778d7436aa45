namespace Drover.Core.Policies;

/// <summary>Poisson tail probabilities for sizing warm pools.</summary>
public static class Poisson
{
    /// <summary>P(N &gt; k) for N ~ Poisson(<paramref name="mean"/>).</summary>
    public static double Tail(double mean, int k)
    {
        if (mean <= 0)
        {
            return 0;
        }

        if (k < 0)
        {
            return 1;
        }

        if (mean > 700)
        {
            // Normal approximation with continuity correction; exact terms underflow this far out.
            var z = (k + 0.5 - mean) / Math.Sqrt(mean);
            return 0.5 * Erfc(z / Math.Sqrt(2));
        }

        var term = Math.Exp(-mean);
        var cdf = term;
        for (var i = 1; i <= k; i++)
        {
            term *= mean / i;
            cdf += term;
        }

        return Math.Max(0, 1 - cdf);
    }

    /// <summary>Least k in [0, <paramref name="cap"/>] with P(N &gt; k) ≤ <paramref name="tail"/>, N ~ Poisson(<paramref name="mean"/>).</summary>
    public static int Quantile(double mean, double tail, int cap)
    {
        if (mean <= 0 || cap <= 0)
        {
            return 0;
        }

        if (mean > 700)
        {
            var k = (int)Math.Max(0, mean - (5 * Math.Sqrt(mean)));
            while (k < cap && Tail(mean, k) > tail)
            {
                k++;
            }

            return k;
        }

        var term = Math.Exp(-mean);
        var cdf = term;
        var w = 0;
        while (w < cap && 1 - cdf > tail)
        {
            w++;
            term *= mean / w;
            cdf += term;
        }

        return w;
    }

    /// <summary>Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var i = c.Length - 1; i >= 1; i--)
        {
            poly = (poly + c[i]) * t;
        }

        var r = t * Math.Exp((-z * z) + c[0] + poly);
        return x >= 0 ? r : 2 - r;
    }
}
