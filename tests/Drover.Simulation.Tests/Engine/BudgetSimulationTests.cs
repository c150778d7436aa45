using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Core.Policies;
using Drover.Simulation.Engine;
using static Drover.Simulation.Tests.TestScenarios;

namespace Drover.Simulation.Tests.Engine;

/// <summary>
/// Budgets and team quotas in <c>simulate</c>, on the virtual clock: the same planner rules as production, spend from
/// the simulated provider's charges at the fleet's prices.
/// </summary>
public sealed class BudgetSimulationTests
{
    /// <summary>3.6 an hour: 0.001 a runner-second.</summary>
    private static readonly PriceConfig Price36 = new() { Currency = "USD", OnDemand = new RateCard { PerHour = 3.6m } };

    [Fact]
    public void TeamQuota_TwoHundredJobBurstOverTwoPools_NeverMoreRunnersThanTheQuota()
    {
        var fleet = Fleet(
            Pool("web", team: "web", max: 50),
            Pool("api", team: "web", max: 50),
            Pool("ml", team: "ml", max: 50)) with
        {
            Teams = [new TeamConfig { Name = "web", MaxRunners = 7 }, new TeamConfig { Name = "ml", MaxRunners = 4 }],
        };
        var jobs = Enumerable.Range(0, 200).Select(i => new SimulatedJob(i * 0.5, 120, i % 3)).ToArray();

        var result = Run(fleet, jobs);

        Assert.Equal(200, result.JobsCompleted);
        Assert.Equal(7, result.PeakRunnersByTeam["web"]);
        Assert.Equal(4, result.PeakRunnersByTeam["ml"]);
    }

    [Fact]
    public void HardCapBudget_Reached_NoRunnerCreatedAfterIt()
    {
        // Each job's runner costs about 0.18 (60 s boot + 120 s); a budget of 2 is spent after a dozen jobs.
        var fleet = Fleet(Pool("web", team: null, max: 50) with { Budget = new BudgetConfig { Limit = 2m, Period = BudgetPeriod.Day } });
        var jobs = Enumerable.Range(0, 60).Select(i => new SimulatedJob(i * 30.0, 120, 0)).ToArray();

        var result = Run(fleet, jobs);

        var exhaustedAt = result.BudgetsExhausted["pool/web"];
        Assert.True(result.Creations.Count(c => c.AtSeconds < exhaustedAt) > 5);
        Assert.DoesNotContain(result.Creations, c => c.AtSeconds >= exhaustedAt);
        Assert.True(result.JobsCompleted < 60, "jobs after the cap wait: no runner is made for them");
        Assert.True(result.CostByPool["web"] >= 2);
    }

    [Fact]
    public void StopWarmTeamBudget_Reached_WarmPoolEmptiesWhileQueuedJobsAreStillServed()
    {
        var warm = Pool("web", team: "web", max: 50) with { Idle = 3, IdleTimeout = TimeSpan.FromMinutes(1) };
        var jobs = Enumerable.Range(0, 60).Select(i => new SimulatedJob(i * 30.0, 120, 0)).ToArray();
        BudgetConfig Budget(BudgetAction action) => new() { Limit = 2m, Period = BudgetPeriod.Day, Action = action };

        var stopWarm = Run(Fleet(warm) with { Teams = [new TeamConfig { Name = "web", Budget = Budget(BudgetAction.StopWarm) }] }, jobs);
        var alertOnly = Run(Fleet(warm) with { Teams = [new TeamConfig { Name = "web", Budget = Budget(BudgetAction.AlertOnly) }] }, jobs);

        Assert.Contains("team/web", stopWarm.BudgetsExhausted.Keys);
        Assert.Equal(60, stopWarm.JobsCompleted);
        Assert.Equal(0, stopWarm.RunnersLeft);
        Assert.Equal(60, alertOnly.JobsCompleted);
        Assert.Equal(3, alertOnly.RunnersLeft);
        Assert.True(stopWarm.IdleCost < alertOnly.IdleCost);
    }

    [Fact]
    public void FairShare_TwoTeamsShareTheProvidersMaxRunners_HeldToTheWeightsWhileBothWait_LentWhenOneIsDone()
    {
        var fleet = Fleet(Pool("web", team: "web", max: 50), Pool("data", team: "data", max: 50)) with
        {
            Providers = [new ProviderConfig { Name = "sim", Type = "simulated", Price = Price36, MaxRunners = 8 }],
            Teams = [new TeamConfig { Name = "web", Weight = 3 }, new TeamConfig { Name = "data" }],
        };
        // 100 jobs each, all queued within 20 s: web (weight 3) gets 6 of the 8, data 2, until web's backlog is done.
        var jobs = Enumerable.Range(0, 200).Select(i => new SimulatedJob(i * 0.1, 120, i % 2)).ToArray();

        var result = Run(fleet, jobs);

        Assert.Equal(200, result.JobsCompleted);
        Assert.InRange(result.PeakRunners, 1, 8);
        Assert.Equal(6, result.PeakRunnersByTeam["web"]);
        Assert.Equal(8, result.PeakRunnersByTeam["data"]);
    }

    private static SimulationResult Run(FleetConfig fleet, SimulatedJob[] jobs) =>
        new Simulator(
            new SimulationScenario { Fleet = fleet, Jobs = jobs, LabelSets = [.. fleet.Pools.Select(p => p.Labels)] },
            [new ReactivePolicy()],
            Boot60 with { DrainLimit = TimeSpan.FromHours(3) }).Run();

    private static FleetConfig Fleet(params PoolConfig[] pools) => new()
    {
        Forges = [new ForgeConfig { Name = "github", Kind = ForgeKind.GitHub, Url = new Uri("https://api.github.com") }],
        Providers = [new ProviderConfig { Name = "sim", Type = "simulated", Price = Price36 }],
        Pools = pools,
    };

    private static PoolConfig Pool(string name, string? team, int max) => new()
    {
        Name = name,
        Forge = "github",
        Scope = new PoolScope(ScopeKind.Organization, "acme"),
        Labels = [name],
        Provider = "sim",
        Max = max,
        Team = team,
        IdleTimeout = TimeSpan.FromSeconds(30),
    };
}
