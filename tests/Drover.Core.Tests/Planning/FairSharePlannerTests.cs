using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

/// <summary>
/// Fair share of a provider's capacity (<c>maxRunners</c>) between teams, as the planner applies it: weighted targets,
/// unused share lent, lent capacity taken back with new runners and by reclaiming idle ones, busy runners never cut.
/// </summary>
public sealed class FairSharePlannerTests
{
    /// <summary>Pool "web" of team web (weight <paramref name="webWeight"/>), pool "data" of team data (weight 1), on k8s with <paramref name="capacity"/>.</summary>
    private static FleetConfig Shared(int capacity, int webWeight = 2, int max = 50) =>
        Fleet(Pool("web", max: max) with { Team = "web" }, Pool("data", max: max) with { Team = "data" }) with
        {
            Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes", MaxRunners = capacity }],
            Teams = [new TeamConfig { Name = "web", Weight = webWeight }, new TeamConfig { Name = "data" }],
        };

    private static IEnumerable<Job> Jobs(string pool, int count, int from = 0) =>
        Enumerable.Range(from, count).Select(i => Queued($"{pool}-{i}", pool));

    private static Runner Busy(string pool, int ordinal) =>
        Runner(pool, ordinal, RunnerState.Busy, T0.AddMinutes(-1), job: new JobKey("github", $"{pool}-running-{ordinal}"));

    private static List<Job> Running(IEnumerable<Runner> runners) =>
        [.. runners.Where(r => r.Job is not null).Select(r => new Job { Key = r.Job!.Value, State = JobState.Running, Labels = [r.Pool], LastEventAt = T0 })];

    [Fact]
    public void Plan_BothTeamsWithDemand_CreatesByWeight()
    {
        var plan = Planner().Plan(Shared(9), State(), [.. Jobs("web", 20), .. Jobs("data", 20)], T0);

        Assert.Equal(6, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
        Assert.Contains(plan.Notes, n => n.StartsWith("fair share of provider 'k8s' (maxRunners 9", StringComparison.Ordinal) && n.Contains("team/web weight 2, needs 20, share 6", StringComparison.Ordinal));
        Assert.Contains(plan.Pools.Single(p => p.Pool == "data").Notes, n => n.Contains("provider 'k8s' at capacity (maxRunners 9", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_OneTeamIdle_ItsShareIsLentToTheOther()
    {
        var plan = Planner().Plan(Shared(9), State(), [.. Jobs("data", 20)], T0);

        Assert.Equal(9, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
    }

    [Fact]
    public void Plan_LenderBusyAndDemandReturns_NoBusyRunnerIsCutAndNothingIsCreated()
    {
        var runners = Enumerable.Range(0, 9).Select(i => Busy("data", i)).ToArray();

        var plan = Planner().Plan(Shared(9), State(runners), [.. Running(runners), .. Jobs("web", 5)], T0);

        Assert.Empty(plan.Actions);
    }

    [Fact]
    public void Plan_LenderHasIdleRunnersAndDemandReturns_IdleLentRunnersAreReclaimedForTheTeamBelowItsShare()
    {
        // data holds all 9: 7 busy, 2 idle. web (weight 2) has 5 queued: targets web 5 (its need), data 4 — data is 5 over.
        Runner[] runners = [.. Enumerable.Range(0, 7).Select(i => Busy("data", i)), Runner("data", 7, RunnerState.Idle, T0.AddMinutes(-3)), Runner("data", 8, RunnerState.Idle, T0.AddMinutes(-1))];

        var plan = Planner().Plan(Shared(9), State(runners), [.. Running(runners), .. Jobs("web", 5)], T0);

        var reclaimed = plan.Of<DeleteRunner>();
        Assert.Equal(2, reclaimed.Count);
        Assert.All(reclaimed, d => Assert.Equal((DeleteCause.Reclaimed, "data"), (d.Cause, d.Pool)));
        Assert.All(reclaimed, d => Assert.Contains("reclaimed for fair share", d.Reason, StringComparison.Ordinal));
        Assert.Equal(2, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.DoesNotContain(plan.Of<CreateRunner>(), c => c.Pool == "data");

        // Level-triggered: with the plan applied, planning again at the same instant does nothing new.
        var after = PlanApplier.Apply(State(runners), plan, T0);
        Assert.Empty(Planner().Plan(Shared(9), after, [.. Running(runners), .. Jobs("web", 5)], T0).Actions);
    }

    [Fact]
    public void Plan_FreeCapacityAndATeamBelowItsShare_NewRunnersGoToItFirst()
    {
        // 6 of 9 in use, all data's and busy; data has more queued, web has queued too: the 3 free go to web (share 6).
        var runners = Enumerable.Range(0, 6).Select(i => Busy("data", i)).ToArray();

        var plan = Planner().Plan(Shared(9), State(runners), [.. Running(runners), .. Jobs("data", 10, from: 100), .. Jobs("web", 10)], T0);

        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.DoesNotContain(plan.Of<CreateRunner>(), c => c.Pool == "data");
    }

    [Fact]
    public void Plan_TeamQuotaBelowItsShare_TheRestGoesToTheOtherTeam()
    {
        var fleet = Shared(9) with { Teams = [new TeamConfig { Name = "web", Weight = 2, MaxRunners = 2 }, new TeamConfig { Name = "data" }] };

        var plan = Planner().Plan(fleet, State(), [.. Jobs("web", 20), .. Jobs("data", 20)], T0);

        Assert.Equal(2, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.Equal(7, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
    }

    [Fact]
    public void Plan_PoolWithoutTeam_ClaimsForItselfWithWeightOne()
    {
        var fleet = Fleet(Pool("web") with { Team = "web" }, Pool("loose")) with
        {
            Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes", MaxRunners = 8 }],
            Teams = [new TeamConfig { Name = "web", Weight = 3 }],
        };

        var plan = Planner().Plan(fleet, State(), [.. Jobs("web", 20), .. Jobs("loose", 20)], T0);

        Assert.Equal(6, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.Equal(2, plan.Of<CreateRunner>().Count(c => c.Pool == "loose"));
    }

    [Fact]
    public void Plan_CapacityShared_NeverMoreActiveRunnersThanMaxRunners()
    {
        var state = State();
        var fleet = Shared(7);
        var now = T0;
        for (var step = 0; step < 6; step++)
        {
            var plan = Planner().Plan(fleet, state, [.. Jobs("web", 4 * step), .. Jobs("data", 3 * step, from: 100)], now);
            state = PlanApplier.Apply(state, plan, now);
            Assert.InRange(state.Runners.Count(r => r.IsActive), 0, 7);
            now = now.AddSeconds(30);
        }
    }
}
