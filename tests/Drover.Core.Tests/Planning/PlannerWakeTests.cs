using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

public sealed class PlannerWakeTests
{
    [Fact]
    public void Plan_NothingPending_HasNoWake()
    {
        var plan = Planner().Plan(Fleet(Pool("linux")), ObservedState.Empty, [], T0);

        Assert.Null(plan.NextWakeAt);
    }

    [Fact]
    public void Plan_SurplusIdleYoungerThanIdleTimeout_WakesWhenItReachesIt()
    {
        var state = State(Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-2)));

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        Assert.True(plan.IsEmpty);
        Assert.Equal(T0.AddMinutes(3), plan.NextWakeAt);
        Assert.Equal(T0.AddMinutes(3), plan.Pools.Single().NextWakeAt);
    }

    [Fact]
    public void Plan_IdleRunnerNotSurplus_DoesNotWakeForIdleTimeout()
    {
        var state = State(Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-2)));

        var plan = Planner().Plan(Fleet(Pool("linux", idle: 1)), state, [], T0);

        Assert.Null(plan.NextWakeAt);
    }

    [Fact]
    public void Plan_FailedRunnerInBackoff_WakesWhenBackoffEnds()
    {
        var state = State(Runner("linux", 0, RunnerState.Failed, T0.AddSeconds(-2), attempt: 2));

        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), state, [], T0);

        Assert.Equal(T0.AddSeconds(3), plan.NextWakeAt);
    }

    [Fact]
    public void Plan_BootingRunner_WakesAtItsStateTimeout()
    {
        var state = State(Runner("linux", 0, RunnerState.Provisioning, T0.AddMinutes(-1)));

        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), state, [], T0);

        Assert.Equal(T0.AddMinutes(9), plan.NextWakeAt);
    }

    [Fact]
    public void Plan_IdleRunnerWithMaxLifetime_WakesAtMaxLifetime()
    {
        var state = State(Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-2), created: T0.AddMinutes(-50)));
        var pool = Pool("linux", idle: 1) with { MaxLifetime = TimeSpan.FromHours(1) };

        var plan = Planner().Plan(Fleet(pool), state, [], T0);

        Assert.Equal(T0.AddMinutes(10), plan.NextWakeAt);
    }

    [Fact]
    public void Plan_PolicyRecheck_IsTheEarliestWake()
    {
        var pool = Pool("linux") with { Policy = "recheck" };
        var planner = new Planner(new PolicyRegistry([new RecheckPolicy(T0.AddSeconds(7))]));
        var state = State(Runner("linux", 0, RunnerState.Provisioning, T0.AddMinutes(-1)));

        var plan = planner.Plan(Fleet(pool), state, [], T0);

        Assert.Equal(T0.AddSeconds(7), plan.NextWakeAt);
    }

    [Fact]
    public void Plan_PolicyRecheckInThePast_IsIgnored()
    {
        var pool = Pool("linux") with { Policy = "recheck" };
        var planner = new Planner(new PolicyRegistry([new RecheckPolicy(T0.AddSeconds(-7))]));

        var plan = planner.Plan(Fleet(pool), ObservedState.Empty, [], T0);

        Assert.Null(plan.NextWakeAt);
    }

    [Fact]
    public void Plan_BusyRunnerWithFinishedJob_WakesWhenTheGraceEnds()
    {
        var job = new JobKey("github", "9");
        var state = State(Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-10), job: job));
        var finished = new Job { Key = job, State = JobState.Completed, FinishedAt = T0.AddMinutes(-1), LastEventAt = T0.AddMinutes(-1) };

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [finished], T0);

        Assert.Equal(T0.AddMinutes(4), plan.NextWakeAt);
    }

    private sealed class RecheckPolicy(DateTimeOffset at) : IScalingPolicy
    {
        public string Name => "recheck";

        public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings) => [];

        public PolicyDecision Decide(PolicyContext context) => new(context.Runners.Active, "keep") { RecheckAt = at };
    }
}
