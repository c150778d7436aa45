using Drover.Core.Policies;
using Drover.Simulation.Engine;
using Drover.Simulation.FleetPlanning;
using static Drover.Simulation.Tests.FleetPlanning.TestFleets;

namespace Drover.Simulation.Tests.FleetPlanning;

public class FleetScenarioTests
{
    [Fact]
    public void Build_RoutesEachJobByLabelsAndScope_AndCountsTheJobsNoPoolTakes()
    {
        var trace = Trace(
            Job(0, "linux"), Job(1, "linux"), Job(2, "gpu;linux"), Job(3, "e2e;linux", "acme/web"),
            Job(4, "e2e;linux", "acme/app"), Job(5, "windows"), Job(6, "windows"), Job(7, "linux", "other/repo"));

        var scenario = FleetScenario.Build(Load(), trace);

        Assert.Equal("github", scenario.Scenario.Forge);
        Assert.Equal(["linux", "gpu", "e2e"], scenario.Scenario.Fleet.Pools.Select(p => p.Name));
        Assert.Equal(["shell"], scenario.OtherForgePools);
        var pools = scenario.Scenario.Jobs.Select(j => scenario.PoolOfLabelSet[j.LabelSet]).ToList();
        Assert.Equal(["linux", "linux", "gpu", "e2e"], pools);
        Assert.Equal(4, scenario.UnmatchedJobs);
        Assert.Equal(2, scenario.Unmatched.Single(u => u.Labels.SequenceEqual(["windows"])).Jobs);
        Assert.Equal(1, scenario.Unmatched.Single(u => u.Scope == "other/repo").Jobs);
        Assert.Equal(1, scenario.Unmatched.Single(u => u.Labels.Contains("e2e")).Jobs);
    }

    [Fact]
    public void Build_ScopeGiven_PutsEveryJobInIt()
    {
        var scenario = FleetScenario.Build(Load(), Trace(Job(0, "e2e;linux", "acme/app"), Job(1, "linux", null)), scope: "acme/web");

        Assert.Equal(0, scenario.UnmatchedJobs);
        Assert.Equal(["e2e", "linux"], scenario.Scenario.Jobs.Select(j => scenario.PoolOfLabelSet[j.LabelSet]));
    }

    [Fact]
    public void Build_UnknownForge_SaysWhichForgesThereAre()
    {
        var e = Assert.Throws<ArgumentException>(() => FleetScenario.Build(Load(), Trace(Job(0, "linux")), forge: "gitea"));

        Assert.Contains("no forge named 'gitea'; forges: github, gitlab", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_GivesFiguresPerPoolAndPerTeam_ThatAddUpToTheTotal()
    {
        var jobs = Enumerable.Range(0, 40).Select(i => Job(i * 3, i % 4 == 0 ? "gpu;linux" : "linux")).Append(Job(50, "e2e;linux", "acme/web")).ToArray();
        var scenario = FleetScenario.Build(Load(), Trace(jobs));

        var result = new Simulator(scenario.Scenario, PolicyRegistry.CreateDefault().Policies, SimulationOptions.Default with { Start = Monday }).Run();

        Assert.Equal([30, 10, 1], result.Pools.Select(p => p.Jobs));
        Assert.Equal(result.Pools.Select(p => p.Jobs), result.Pools.Select(p => p.JobsStarted));
        Assert.All(result.Pools, p => Assert.Equal(60, p.WaitP95Seconds, 6));
        Assert.Equal(result.RunnerMinutes, result.Pools.Sum(p => p.RunnerMinutes), 6);
        Assert.Equal(result.Cost, result.Pools.Sum(p => p.Cost), 6);
        Assert.Equal((10 * (60 + 300) * 0.60 / 3600), result.Pools.Single(p => p.Name == "gpu").Cost, 6);
        Assert.Equal(["(none)", "ml", "platform"], result.Teams.Select(t => t.Name));
        Assert.Equal([1, 10, 30], result.Teams.Select(t => t.Jobs));
        Assert.Equal(result.RunnerMinutes, result.Teams.Sum(t => t.RunnerMinutes), 6);
    }

    [Fact]
    public void Simulate_BootPerPool_AppliesToThatPoolOnly()
    {
        var scenario = FleetScenario.Build(Load(), Trace(Job(0, "linux"), Job(10, "gpu;linux")));
        var options = SimulationOptions.Default with { Start = Monday, BootByPool = new Dictionary<string, BootTimeDistribution> { ["gpu"] = BootTimeDistribution.Fixed(300) } };

        var result = new Simulator(scenario.Scenario, PolicyRegistry.CreateDefault().Policies, options).Run();

        Assert.Equal(60, result.Pools.Single(p => p.Name == "linux").WaitMaxSeconds, 6);
        Assert.Equal(300, result.Pools.Single(p => p.Name == "gpu").WaitMaxSeconds, 6);
    }
}
