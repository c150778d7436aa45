using CsCheck;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

/// <summary>
/// Priority classes in the fair share of a provider's capacity, as the planner applies them: the capacity goes to the
/// higher class's demand across teams first, by weight within a class; busy runners are never cut; without classes the
/// plan is the one before.
/// </summary>
public sealed class PriorityClassPlannerTests
{
    private static readonly PriorityClassConfig Release = new() { Name = "release", Match = [PriorityMatch.DefaultBranch, PriorityMatch.Deployments] };

    /// <summary>Pool "web" of team web (weight 2), pool "data" of team data (weight 1), on k8s with <paramref name="capacity"/>; class release over the rest.</summary>
    private static FleetConfig Shared(int capacity, bool classes = true) =>
        Fleet(Pool("web", max: 50) with { Team = "web" }, Pool("data", max: 50) with { Team = "data" }) with
        {
            Providers = [new ProviderConfig { Name = "k8s", Type = "kubernetes", MaxRunners = capacity }],
            Teams = [new TeamConfig { Name = "web", Weight = 2 }, new TeamConfig { Name = "data" }],
            PriorityClasses = classes ? [Release] : [],
        };

    private static IEnumerable<Job> Jobs(string pool, int count, JobRefKind? kind, int from = 0, string? environment = null) =>
        Enumerable.Range(from, count).Select(i => Queued($"{pool}-{i}", pool) with { Ref = kind is null ? null : "x", RefKind = kind, Environment = environment });

    private static Runner Busy(string pool, int ordinal) =>
        Runner(pool, ordinal, RunnerState.Busy, T0.AddMinutes(-1), job: new JobKey("github", $"{pool}-running-{ordinal}"));

    private static List<Job> Running(IEnumerable<Runner> runners, JobRefKind? kind) =>
        [.. runners.Where(r => r.Job is not null).Select(r => new Job { Key = r.Job!.Value, State = JobState.Running, Labels = [r.Pool], LastEventAt = T0, RefKind = kind })];

    [Fact]
    public void Plan_DefaultBranchJobsOfTheLighterTeam_GetTheCapacityBeforePullRequestsOfTheHeavierTeam()
    {
        var plan = Planner().Plan(Shared(9), State(), [.. Jobs("web", 20, JobRefKind.PullRequest), .. Jobs("data", 6, JobRefKind.DefaultBranch)], T0);

        // data's 6 default-branch jobs first (its weight 1 notwithstanding), web's pull requests get the 3 left.
        Assert.Equal(6, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.Contains(plan.Notes, n => n == "priority classes of provider 'k8s', highest first: release needs 6, share 6; other needs 20, share 3");
        Assert.Contains(plan.Notes, n => n.StartsWith("priority class 'other' waits on provider 'k8s': 17 of the 20 runners", StringComparison.Ordinal)
            && n.Contains("higher classes (release) take the capacity", StringComparison.Ordinal));
        Assert.Contains(plan.Pools.Single(p => p.Pool == "web").Notes, n => n.Contains("its jobs of priority class 'other' wait while higher classes take the capacity", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_BothTeamsInTheSameClass_ShareByWeight()
    {
        var plan = Planner().Plan(Shared(9), State(), [.. Jobs("web", 20, JobRefKind.DefaultBranch), .. Jobs("data", 20, null, environment: "production"), .. Jobs("data", 5, JobRefKind.PullRequest, from: 100)], T0);

        Assert.Equal(6, plan.Of<CreateRunner>().Count(c => c.Pool == "web"));
        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
    }

    [Fact]
    public void Plan_LowerClassHoldsTheCapacityBusy_NothingIsCutAndFreedSlotsGoToTheHigherClass()
    {
        // web's 9 pull-request runners are busy; data's default-branch jobs arrive: no runner is cut, nothing is created.
        var runners = Enumerable.Range(0, 9).Select(i => Busy("web", i)).ToArray();
        var jobs = new List<Job>([.. Running(runners, JobRefKind.PullRequest), .. Jobs("web", 10, JobRefKind.PullRequest, from: 100), .. Jobs("data", 4, JobRefKind.DefaultBranch)]);

        Assert.Empty(Planner().Plan(Shared(9), State(runners), jobs, T0).Actions);

        // Three of web's jobs end: the three slots go to data's default-branch jobs, not to web's waiting pull requests.
        var left = runners[3..];
        var plan = Planner().Plan(Shared(9), State(left), [.. Running(left, JobRefKind.PullRequest), .. Jobs("web", 10, JobRefKind.PullRequest, from: 100), .. Jobs("data", 4, JobRefKind.DefaultBranch)], T0);
        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
        Assert.DoesNotContain(plan.Of<CreateRunner>(), c => c.Pool == "web");
        Assert.Empty(plan.Of<DeleteRunner>());
    }

    [Fact]
    public void Plan_IdleRunnersLentToALowerClass_AreReclaimedForTheHigherClass()
    {
        // web holds all 9 for pull requests: 6 busy, 3 idle. data (weight 1) has 3 default-branch jobs: its share is 3.
        Runner[] runners = [.. Enumerable.Range(0, 6).Select(i => Busy("web", i)), .. Enumerable.Range(6, 3).Select(i => Runner("web", i, RunnerState.Idle, T0.AddMinutes(-2)))];

        var plan = Planner().Plan(Shared(9), State(runners), [.. Running(runners, JobRefKind.PullRequest), .. Jobs("data", 3, JobRefKind.DefaultBranch)], T0);

        Assert.Equal(3, plan.Of<DeleteRunner>().Count(d => d.Cause == DeleteCause.Reclaimed && d.Pool == "web"));
        Assert.Equal(3, plan.Of<CreateRunner>().Count(c => c.Pool == "data"));
    }

    [Fact]
    public void Plan_NoPriorityClasses_IsTheSamePlanWhateverTheJobsRefs()
    {
        // -1: nothing told; else a JobRefKind.
        Gen.Select(Gen.Int[0, 12], Gen.Int[0, 25], Gen.Int[0, 25], Gen.Int[-1, 3].Array[50], Gen.Int[0, 9]).Sample((capacity, web, data, refs, busy) =>
        {
            var runners = Enumerable.Range(0, busy).Select(i => Busy(i % 2 == 0 ? "web" : "data", i)).ToArray();
            List<Job> plain = [.. Running(runners, null), .. Jobs("web", web, null), .. Jobs("data", data, null, from: 100)];
            var told = plain.Select((j, i) => j with { RefKind = refs[i % refs.Length] < 0 ? null : (JobRefKind)refs[i % refs.Length], Ref = "main", Environment = i % 3 == 0 ? "staging" : null }).ToList();

            var before = Planner().Plan(Shared(capacity, classes: false), State(runners), plain, T0);
            var after = Planner().Plan(Shared(capacity, classes: false), State(runners), told, T0);

            Assert.Equal(before.Actions, after.Actions);
            Assert.Equal(before.Notes, after.Notes);
        }, iter: 300);
    }

    [Fact]
    public void Plan_ClassesButOneClassOfJobs_IsTheSamePlanAsWithoutClasses()
    {
        Gen.Select(Gen.Int[0, 12], Gen.Int[0, 25], Gen.Int[0, 25], Gen.Int[0, 9]).Sample((capacity, web, data, busy) =>
        {
            var runners = Enumerable.Range(0, busy).Select(i => Busy(i % 2 == 0 ? "web" : "data", i)).ToArray();
            List<Job> jobs = [.. Running(runners, JobRefKind.DefaultBranch), .. Jobs("web", web, JobRefKind.DefaultBranch), .. Jobs("data", data, JobRefKind.DefaultBranch, from: 100)];

            var without = Planner().Plan(Shared(capacity, classes: false), State(runners), jobs, T0);
            var with = Planner().Plan(Shared(capacity), State(runners), jobs, T0);

            Assert.Equal(without.Actions, with.Actions);
        }, iter: 300);
    }

    [Fact]
    public void Plan_HigherClassDemand_NeverStarvedByLowerClassAcrossPlans()
    {
        // Plans applied one after another: whenever data's default-branch jobs wait and web holds more than the
        // pull-request share left after them, web gets no new runner.
        Gen.Select(Gen.Int[2, 12], Gen.Int[0, 30], Gen.Int[0, 30]).Sample((capacity, web, data) =>
        {
            var fleet = Shared(capacity);
            var jobs = new List<Job>([.. Jobs("web", web, JobRefKind.PullRequest), .. Jobs("data", data, JobRefKind.DefaultBranch, from: 100)]);
            var state = State();
            for (var step = 0; step < 3; step++)
            {
                var plan = Planner().Plan(fleet, state, jobs, T0);
                var dataHas = state.Runners.Count(r => r.IsActive && r.Pool == "data") + plan.Of<CreateRunner>().Count(c => c.Pool == "data");
                if (plan.Of<CreateRunner>().Any(c => c.Pool == "web"))
                {
                    Assert.True(dataHas >= Math.Min(data, capacity), $"capacity {capacity}, web {web}, data {data}: web got a runner while data has {dataHas}");
                }

                state = PlanApplier.Apply(state, plan, T0);
                Assert.InRange(state.Runners.Count(r => r.IsActive), 0, capacity);
            }
        }, iter: 200);
    }
}
