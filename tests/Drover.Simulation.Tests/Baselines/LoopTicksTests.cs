using Drover.Simulation.Baselines;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Baselines;

public class LoopTicksTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AtOrAfter_OnATick_IsThatTick()
    {
        Assert.Equal(T0.AddSeconds(5), LoopTicks.AtOrAfter(T0.AddSeconds(5), TimeSpan.FromSeconds(5)));
        Assert.Equal(T0.AddSeconds(10), LoopTicks.After(T0.AddSeconds(5), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void AtOrAfter_BetweenTicks_IsTheNextTick()
    {
        Assert.Equal(T0.AddSeconds(35), LoopTicks.AtOrAfter(T0.AddSeconds(32), TimeSpan.FromSeconds(5)));
        Assert.False(LoopTicks.IsTick(T0.AddSeconds(32), TimeSpan.FromSeconds(5)));
        Assert.True(LoopTicks.IsTick(T0.AddMinutes(3), TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ConcurrencyPercentile_TwoOverlappingJobs_IsTimeWeighted()
    {
        // One job alone for 90 s, two together for 10 s: the median is 1, the p95 is 2.
        Drover.Simulation.Engine.SimulatedJob[] jobs = [Job(0, 100), Job(90, 10)];

        Assert.Equal(1, BaselineCatalog.ConcurrencyPercentile(jobs, 0.5));
        Assert.Equal(2, BaselineCatalog.ConcurrencyPercentile(jobs, 0.95));
    }
}
