using Drover.Simulation.Engine;
using Drover.Simulation.Reports;

namespace Drover.Simulation.Tests.Reports;

public sealed class SimulationReportTests
{
    private static SimulationResult Result(string policy, double p95, double minutes, int jobs = 100, int completed = 100) => new()
    {
        Policy = policy,
        Config = "test",
        Jobs = jobs,
        JobsCompleted = completed,
        WaitP95Seconds = p95,
        RunnerMinutes = minutes,
        Series = Enumerable.Range(0, 1_000).Select(i => new TimeSeriesPoint(i * 3_600, 5, i % 2 == 0 ? 0 : 4, i % 2 == 0 ? 999 : 10, 3, 4, 1)).ToList(),
    };

    private static SimulationReport Report(params SimulationResult[] results) =>
        new() { Title = "t", Oracle = Result("oracle", 0, 100), Results = results };

    [Fact]
    public void Frontier_DropsDominatedAndIncompleteRuns()
    {
        var report = Report(
            Result("fast-cheap", 10, 120),
            Result("slow-dear", 20, 130),
            Result("slow-cheap", 60, 100),
            Result("strands-jobs", 5, 50, completed: 90));

        Assert.Equal(["slow-cheap", "fast-cheap"], report.Frontier().Select(r => r.Policy));
        Assert.Equal(1.2, report.RatioToOracle(report.Results[0]), 9);
    }

    [Fact]
    public void Dominates_AtLeastAsGoodOnBothAxesAndBetterOnOne()
    {
        Assert.True(SimulationReport.Dominates(Result("a", 10, 100), Result("b", 11, 101)));
        Assert.True(SimulationReport.Dominates(Result("a", 10, 100), Result("b", 10, 101)));
        Assert.True(SimulationReport.Dominates(Result("a", 10, 100), Result("b", 11, 100)));
        Assert.False(SimulationReport.Dominates(Result("a", 10, 100), Result("b", 10, 100)));
        Assert.False(SimulationReport.Dominates(Result("a", 10, 102), Result("b", 11, 101)));
    }

    [Fact]
    public void Frontier_TiedWaitButCostlier_IsDominated()
    {
        // The reported case: predictive reached the same p95 as reactive at 1.84x the runner-minutes and was listed as
        // not dominated, because ties counted as not dominated.
        var report = Report(Result("reactive", 90, 100), Result("predictive", 90, 184), Result("philips", 120, 100), Result("warm", 30, 300));

        Assert.Equal(["reactive", "warm"], report.Frontier().Select(r => r.Policy));
    }

    [Fact]
    public void Knee_IsTheFrontierPointFarthestFromTheLineBetweenItsEnds()
    {
        var report = Report(Result("cheap", 120, 100), Result("knee", 20, 110), Result("almost", 15, 150), Result("fastest", 10, 300));

        Assert.Equal("knee", report.Knee()?.Policy);
        Assert.Null(Report(Result("cheap", 120, 100), Result("fastest", 10, 300)).Knee());
    }

    [Fact]
    public void ConsoleReport_ShowsEveryPolicyAndFlagsUnrunJobs()
    {
        var text = ConsoleReport.Render(Report(Result("reactive", 60, 100), Result("strands-jobs", 5, 50, completed: 90)));

        Assert.Contains("oracle (bound)", text, StringComparison.Ordinal);
        Assert.Contains("90 of 100 ran", text, StringComparison.Ordinal);
        Assert.Contains("left jobs unrun (not comparable): strands-jobs", text, StringComparison.Ordinal);
        Assert.Contains("Pareto frontier, cheapest first (no other policy waits no longer at p95 for no more runner-minutes and is better on one): reactive", text, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_IsSelfContainedWithThreeCharts()
    {
        var html = HtmlReport.Render(Report(Result("reactive", 60, 100), Result("predictive <b>", 20, 110)));

        Assert.Equal(3, html.Split("<svg", StringSplitOptions.None).Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("predictive &lt;b&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Downsample_AtMostFourHundredPointsAndWaitsWeightedByStartedJobs()
    {
        var points = HtmlReport.Downsample(Result("r", 0, 0).Series, p => p.P95WaitSeconds, weighted: true);

        Assert.True(points.Count <= 400);
        Assert.All(points, p => Assert.Equal(10, p.Y, 9));
    }
}
