namespace Drover.Simulation.Engine;

/// <summary>
/// A synthetic stand-in for a year of bursty CI demand (shaped like the conda-forge trace): per 5-minute bin a
/// Poisson count around a daily/weekly rhythm with occasional bursts, spread uniformly in the bin; durations lognormal
/// (median 300 s, sigma 1.0) capped at 6 h. For benchmarks and tests; real traces come from the trace importers.
/// </summary>
public static class SyntheticTrace
{
    /// <summary>Generates <paramref name="days"/> days of jobs, one label set (index 0), from <paramref name="seed"/>.</summary>
    public static IReadOnlyList<SimulatedJob> Generate(int days, int seed = 1, double meanPerBin = 10)
    {
        var random = new Random(seed);
        const double bin = 300;
        var bins = days * 24 * 12;
        var jobs = new List<SimulatedJob>((int)(bins * meanPerBin * 1.1));
        var burstLeft = 0;
        var burstRate = 0.0;
        for (var b = 0; b < bins; b++)
        {
            var hour = b / 12 % 24;
            var weekday = b / (12 * 24) % 7 < 5;
            var rhythm = (weekday ? 1.15 : 0.6) * (0.55 + (0.9 * Math.Exp(-Math.Pow((hour - 15) / 5.0, 2))));
            if (burstLeft == 0 && random.NextDouble() < 0.004)
            {
                burstLeft = 1 + random.Next(6);
                burstRate = 40 + (random.NextDouble() * 240);
            }

            var mean = meanPerBin * rhythm;
            if (burstLeft > 0)
            {
                mean = burstRate;
                burstRate *= 0.6;
                burstLeft--;
            }

            var count = Math.Min(280, Distributions.Poisson(random, mean));
            for (var i = 0; i < count; i++)
            {
                var arrival = (b + random.NextDouble()) * bin;
                var duration = Math.Min(6 * 3600, 300 * Math.Exp(Distributions.StandardNormal(random)));
                jobs.Add(new SimulatedJob(arrival, duration, 0));
            }
        }

        jobs.Sort(static (a, b) => a.ArrivalSeconds.CompareTo(b.ArrivalSeconds));
        return jobs;
    }
}
