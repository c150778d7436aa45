using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class DurationDistributionTests
{
    private static double[] Sample(IDurationDistribution distribution, int count, int seed = 1)
    {
        var random = new Random(seed);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = distribution.Sample(random);
        }

        Array.Sort(values);
        return values;
    }

    [Fact]
    public void LogNormal_LargeSample_HasMedianAndMeanOfThePlanningScenario()
    {
        var values = Sample(LogNormalDurations.PlanningScenario, 200_000);

        Assert.InRange(values[values.Length / 2], 300 * 0.98, 300 * 1.02);
        Assert.InRange(values.Average(), 495 * 0.98, 495 * 1.02);
        Assert.True(values[^1] <= 6 * 3600);
    }

    [Fact]
    public void LogNormal_LargeSample_HasLogStandardDeviationSigma()
    {
        var logs = Sample(new LogNormalDurations(60, 0.5), 100_000).Select(v => Math.Log(v)).ToArray();
        var mean = logs.Average();
        var sd = Math.Sqrt(logs.Sum(x => (x - mean) * (x - mean)) / logs.Length);

        Assert.InRange(sd, 0.49, 0.51);
        Assert.InRange(Math.Exp(mean), 60 * 0.99, 60 * 1.01);
    }

    [Fact]
    public void LogNormal_TinyCap_CapsEverySample()
    {
        Assert.All(Sample(new LogNormalDurations(300, 1.0, 10), 1000), v => Assert.True(v <= 10));
    }

    [Fact]
    public void LogNormalPareto_Tail_IsHeavierThanTheBodyAlone()
    {
        var body = Sample(new LogNormalDurations(240, 0.8), 100_000);
        var tailed = Sample(new LogNormalParetoDurations(240, 0.8, 0.05, 1800, 1.5, 6 * 3600), 100_000);

        Assert.InRange(tailed[tailed.Length / 2], 240 * 0.95, 240 * 1.15);
        Assert.True(tailed[(int)(tailed.Length * 0.99)] > 2 * body[(int)(body.Length * 0.99)]);
        Assert.True(tailed[^1] <= 6 * 3600);
    }

    [Fact]
    public void Sample_SameSeed_GivesSameSequence()
    {
        var distribution = new LogNormalParetoDurations(240, 0.8, 0.05, 1800, 1.5, 6 * 3600);

        Assert.Equal(Sample(distribution, 100, seed: 9), Sample(distribution, 100, seed: 9));
        Assert.NotEqual(Sample(distribution, 100, seed: 9), Sample(distribution, 100, seed: 10));
    }

    [Fact]
    public void Empirical_NoValues_Throws()
    {
        Assert.Throws<ArgumentException>(() => new EmpiricalDurations([]));
    }
}
