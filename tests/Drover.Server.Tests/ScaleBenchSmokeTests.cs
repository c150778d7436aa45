using Drover.Benchmarks.Scale;

namespace Drover.Server.Tests;

/// <summary>
/// The steady-state part of <c>bench scale</c> at a toy size, so the benchmark keeps working between the runs that
/// measure with it: a real host warms to every pool's idle runners, runs a job stream, and reports every cycle step
/// and the store's tables. Nothing here is timed.
/// </summary>
public sealed class ScaleBenchSmokeTests
{
    [Fact]
    public async Task SteadyState_SmallFleet_WarmsEveryPool_ReportsCycleSteps_AndStoreRows()
    {
        var options = new SteadyOptions
        {
            Pools = 6,
            Idle = 2,
            Max = 4,
            JobsPerHour = 3600,
            Measure = TimeSpan.FromSeconds(6),
            WarmupLimit = TimeSpan.FromMinutes(2),
        };
        using var log = new StringWriter();

        var result = await SteadyState.RunAsync(options, log, CancellationToken.None);

        Assert.True(result.LiveMin >= 12, $"every pool keeps its 2 idle runners before measuring; live {result.LiveMin}-{result.LiveMax}\n{log}");
        Assert.True(result.Cycles > 0, "cycles ran while measuring");
        foreach (var step in new[] { "demand", "observe", "sync", "phases", "budgets", "plan", "execute", "requests", "cost", "retention", "alerts", "snapshot" })
        {
            Assert.True(result.StepMs.ContainsKey(step), $"cycle step '{step}' reported; got {string.Join(", ", result.StepMs.Keys)}");
        }

        Assert.True(result.PeakRssBytes > 0 && result.CpuPerWall > 0, "process figures read");
        Assert.Contains("runners", result.RowsPerDay.Keys);
        Assert.Contains("events", result.RowsPerDay.Keys);
    }
}
