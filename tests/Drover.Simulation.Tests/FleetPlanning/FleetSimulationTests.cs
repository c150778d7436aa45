using Drover.Simulation.Engine;
using Drover.Simulation.FleetPlanning;
using Drover.Simulation.Reports;
using static Drover.Simulation.Tests.FleetPlanning.TestFleets;

namespace Drover.Simulation.Tests.FleetPlanning;

public class FleetSimulationTests
{
    /// <summary>Two weekdays: linux jobs every 4 minutes from 09:00 to 17:00 UTC, one every 4 hours at night.</summary>
    internal static FleetScenario OfficeHours()
    {
        var jobs = new List<Core.Traces.TraceJob>();
        for (var day = 0; day < 2; day++)
        {
            for (var minute = 0; minute < 24 * 60; minute += 4)
            {
                var hour = minute / 60;
                if ((hour >= 9 && hour < 17) || minute % 240 == 0)
                {
                    jobs.Add(Job((day * 24 * 60) + minute, "linux", seconds: 180));
                }
            }
        }

        return FleetScenario.Build(Load(), Trace([.. jobs]));
    }

    internal static FleetReport Sweep(string sweep = "pools.linux.idle=0..3") =>
        FleetSimulation.Run("test", [], OfficeHours(), [FleetSweep.Parse(sweep, Load())], SimulationOptions.Default with { Start = Monday }, TimeSpan.FromSeconds(15));

    [Fact]
    public void Run_Sweep_OnePointPerValue_MoreWarmRunnersWaitLessAndCostMore()
    {
        var report = Sweep();

        var sweep = Assert.Single(report.Sweeps);
        Assert.Equal("0", sweep.Configured);
        Assert.Equal(["0", "1", "2", "3"], sweep.Points.Select(p => p.Value));
        var (none, three) = (sweep.Points[0].Pool, sweep.Points[^1].Pool);
        Assert.Equal(60, none.WaitP95Seconds, 6);
        Assert.True(three.WaitP95Seconds < none.WaitP95Seconds, $"idle 3 waits {three.WaitP95Seconds} s at p95, idle 0 {none.WaitP95Seconds} s");
        Assert.True(three.RunnerMinutes > none.RunnerMinutes, $"idle 3 uses {three.RunnerMinutes} runner-minutes, idle 0 {none.RunnerMinutes}");
        Assert.Equal(report.Result.Pools.Single(p => p.Name == "linux"), none);
    }

    [Fact]
    public void Run_IdleSweep_RecommendsTheCheapestValueMeetingTheTarget_InTheBusyHoursOnly_WithFiguresOfThatRun()
    {
        var report = Sweep();

        var advice = Assert.Single(report.Recommendations);
        var sweep = report.Sweeps[0];
        var cheapest = sweep.Points.Where(p => p.Pool.WaitP95Seconds <= 15).MinBy(p => p.Pool.RunnerMinutes)!;
        Assert.Equal(cheapest.Value, advice.Value);
        Assert.StartsWith($"linux: idle {cheapest.Value} from 09:00 to 17:00 on weekdays (UTC): p95 ", advice.Text, StringComparison.Ordinal);
        Assert.Contains("schedules:\n  - cron: \"* 9-16 * * 1-5\"\n    timezone: UTC\n    idle: " + cheapest.Value, advice.Schedule, StringComparison.Ordinal);

        // The busy-hours run is cheaper than keeping the runners warm all night as well, and says so with its own figures.
        Assert.True(advice.RunnerMinutesChange < (cheapest.Pool.RunnerMinutes / sweep.Points[0].Pool.RunnerMinutes) - 1);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"p95 {advice.WaitP95Seconds:0} s for {advice.RunnerMinutesChange:+0%;-0%;+0%} runner-minutes"), advice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_SweepThatChangesNothing_SaysNoValueMeetsTheTarget_AndKeepsTheConfiguredOne()
    {
        // Ephemeral runners with no warm floor never sit idle: their idle timeout changes nothing.
        var report = Sweep("pools.linux.idleTimeout=1m..3m");

        var advice = Assert.Single(report.Recommendations);
        Assert.Null(advice.Schedule);
        Assert.Equal("2m", advice.Value);
        Assert.StartsWith("linux: no idleTimeout from 1m to 3m reaches a p95 wait of 15 s, and none shortens it by much: the shortest, idleTimeout 1m: p95 60 s for +0% runner-minutes", advice.Text, StringComparison.Ordinal);
        Assert.EndsWith("; keep idleTimeout 2m.", advice.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Html_Sweep_HasItsCurveInline()
    {
        var html = FleetHtmlReport.Render(Sweep());

        Assert.Contains("<h2>Sweep of pools.linux.idle</h2>", html, StringComparison.Ordinal);
        Assert.Equal(4, html.Split("<circle", StringSplitOptions.None).Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
