using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

public sealed class PlannerTests
{
    [Fact]
    public void Plan_NoDemandNoMin_PlansNothing()
    {
        var plan = Planner().Plan(Fleet(Pool("linux")), ObservedState.Empty, [], T0);

        Assert.True(plan.IsEmpty);
        Assert.Equal(0, plan.Pools.Single().Desired);
    }

    [Fact]
    public void Plan_QueuedJobs_CreatesOneRunnerPerJobPlusWarmIdle()
    {
        var plan = Planner().Plan(Fleet(Pool("linux", idle: 2)), ObservedState.Empty, [Queued("1", "linux"), Queued("2", "self-hosted", "LINUX")], T0);

        var creates = plan.Of<CreateRunner>();
        Assert.Equal(4, creates.Count);
        Assert.Equal(["drover-linux-0", "drover-linux-1", "drover-linux-2", "drover-linux-3"], creates.Select(c => c.IdempotencyKey));
        Assert.All(creates, c => Assert.Equal("k8s", c.Provider));
        Assert.Equal(2, plan.Pools.Single().Demand.Queued);
    }

    [Fact]
    public void Plan_DemandAboveMax_CapsAtMaxCountingExistingRunners()
    {
        var jobs = Enumerable.Range(0, 30).Select(i => Queued(i.ToString(), "linux")).ToList();
        var state = State(Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-3)), Runner("linux", 1, RunnerState.Provisioning, T0.AddSeconds(-10)));

        var plan = Planner().Plan(Fleet(Pool("linux", max: 8)), state, jobs, T0);

        Assert.Equal(6, plan.Of<CreateRunner>().Count);
        Assert.Equal(8, plan.Pools.Single().Desired);
        Assert.Contains("capped at max 8", plan.Pools.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_MinWithoutDemand_CreatesMin()
    {
        var plan = Planner().Plan(Fleet(Pool("linux", min: 3)), ObservedState.Empty, [], T0);

        Assert.Equal(3, plan.Of<CreateRunner>().Count);
    }

    [Fact]
    public void Plan_SurplusIdle_DeletesOldestFirstOnlyPastIdleTimeout()
    {
        var state = State(
            Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-20), created: T0.AddMinutes(-30)),
            Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-10), created: T0.AddMinutes(-40)),
            Runner("linux", 2, RunnerState.Idle, T0.AddMinutes(-1), created: T0.AddMinutes(-50)));

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        var deletes = plan.Of<DeleteRunner>();
        Assert.Equal(["drover-linux-1", "drover-linux-0"], deletes.Select(d => d.RunnerId));
        Assert.All(deletes, d => Assert.Equal(DeleteCause.ScaleDown, d.Cause));
        Assert.Contains(plan.Pools.Single().Notes, n => n.Contains("1 surplus runner(s) kept", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_SurplusButOnlyBusyAndBooting_DeletesNothing()
    {
        var state = State(
            Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-20), job: new JobKey("github", "9")),
            Runner("linux", 1, RunnerState.Registering, T0.AddMinutes(-1)),
            Runner("linux", 2, RunnerState.Requested, T0.AddSeconds(-5)));

        var plan = Planner().Plan(Fleet(Pool("linux", max: 1)), state, [], T0);

        Assert.Empty(plan.Of<DeleteRunner>());
        Assert.Empty(plan.Of<CreateRunner>());
    }

    [Theory]
    [InlineData(RunnerState.Requested, 3)]
    [InlineData(RunnerState.Provisioning, 11)]
    [InlineData(RunnerState.Registering, 11)]
    public void Plan_BootingPastItsTimeout_IsReapedAndReplaced(RunnerState state, int minutes)
    {
        var stuck = Runner("linux", 0, state, T0.AddMinutes(-minutes));

        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), State(stuck), [], T0);

        var delete = Assert.Single(plan.Of<DeleteRunner>());
        Assert.Equal(DeleteCause.BootTimeout, delete.Cause);
        Assert.Contains("timeout", delete.Reason, StringComparison.Ordinal);
        Assert.Equal("drover-linux-1", Assert.Single(plan.Of<CreateRunner>()).IdempotencyKey);
    }

    [Fact]
    public void Plan_BootingWithinTimeout_IsLeftAlone()
    {
        var plan = Planner().Plan(Fleet(Pool("linux", min: 1)), State(Runner("linux", 0, RunnerState.Registering, T0.AddMinutes(-9))), [], T0);

        Assert.True(plan.IsEmpty);
    }

    [Fact]
    public void Plan_BusyRunnerWhoseJobFinished_ReapedOnlyAfterGrace()
    {
        var key = new JobKey("github", "7");
        var finished = new Job { Key = key, State = JobState.Completed, FinishedAt = T0.AddMinutes(-6), LastEventAt = T0.AddMinutes(-6) };
        var recent = finished with { FinishedAt = T0.AddMinutes(-1) };
        var busy = Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-30), job: key);

        var reaped = Planner().Plan(Fleet(Pool("linux")), State(busy), [finished], T0);
        var kept = Planner().Plan(Fleet(Pool("linux")), State(busy), [recent], T0);

        Assert.Equal(DeleteCause.Stuck, Assert.Single(reaped.Of<DeleteRunner>()).Cause);
        Assert.True(kept.IsEmpty);
    }

    [Fact]
    public void Plan_BusyPastBusyTimeout_IsReaped()
    {
        var busy = Runner("linux", 0, RunnerState.Busy, T0.AddHours(-25), job: new JobKey("github", "1"));

        var plan = Planner().Plan(Fleet(Pool("linux")), State(busy), [], T0);

        Assert.Equal(DeleteCause.Stuck, Assert.Single(plan.Of<DeleteRunner>()).Cause);
    }

    [Fact]
    public void Plan_BusyPastBusyTimeout_WhileTheForgeReportsItsJobRunning_IsKeptUntilTheGitHubCeiling()
    {
        var key = new JobKey("github", "25h");
        var running = new Job { Key = key, State = JobState.Running, StartedAt = T0.AddHours(-25), LastEventAt = T0.AddHours(-25), RunnerName = "x" };
        var busy = Runner("linux", 0, RunnerState.Busy, T0.AddHours(-25), job: key);

        var kept = Planner().Plan(Fleet(Pool("linux")), State(busy), [running], T0);
        var atCeiling = Planner().Plan(Fleet(Pool("linux")), State(busy with { StateSince = T0 - TimeSpan.FromDays(5) - TimeSpan.FromHours(1) }), [running], T0);

        Assert.Empty(kept.Of<DeleteRunner>());
        Assert.Equal(T0.AddHours(-25) + TimeSpan.FromDays(5) + TimeSpan.FromHours(1), kept.NextWakeAt);
        var reaped = Assert.Single(atCeiling.Of<DeleteRunner>());
        Assert.Equal(DeleteCause.Stuck, reaped.Cause);
        Assert.Contains("running-job ceiling", reaped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BusyOnARunningGitLabJob_CeilingIsAMonth_AndRunningJobOverridesIt()
    {
        var key = new JobKey("gitlab", "9");
        var running = new Job { Key = key, State = JobState.Running, StartedAt = T0.AddDays(-20), LastEventAt = T0.AddDays(-20), RunnerName = "x" };
        var busy = Runner("ci", 0, RunnerState.Busy, T0.AddDays(-20), job: key);
        var pool = Pool("ci", forge: "gitlab");
        var capped = pool with { Timeouts = pool.Timeouts with { RunningJob = TimeSpan.FromDays(2) } };

        Assert.Empty(Planner().Plan(Fleet(pool), State(busy), [running], T0).Of<DeleteRunner>());
        Assert.Contains("past the 2d running-job ceiling", Assert.Single(Planner().Plan(Fleet(capped), State(busy), [running], T0).Of<DeleteRunner>()).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_QueuedJobAlreadyTakenByBusyRunner_IsNotCountedTwice()
    {
        var key = new JobKey("github", "1");
        var busy = Runner("linux", 0, RunnerState.Busy, T0.AddSeconds(-5), job: key);

        var plan = Planner().Plan(Fleet(Pool("linux")), State(busy), [Queued("1", "linux")], T0);

        Assert.True(plan.IsEmpty);
        Assert.Equal(0, plan.Pools.Single().Demand.Queued);
    }

    [Fact]
    public void Plan_FailedRunnerInBackoff_HoldsItsSlotThenIsReplacedWithNextAttempt()
    {
        var failed = Runner("linux", 0, RunnerState.Failed, T0.AddSeconds(-3), attempt: 2);
        var fleet = Fleet(Pool("linux", min: 1));

        var during = Planner().Plan(fleet, State(failed), [], T0);
        var after = Planner().Plan(fleet, State(failed), [], T0.AddSeconds(3));

        Assert.True(during.IsEmpty);
        Assert.Contains(during.Pools.Single().Notes, n => n.Contains("retry backoff", StringComparison.Ordinal));
        Assert.Equal(DeleteCause.Failed, Assert.Single(after.Of<DeleteRunner>()).Cause);
        var create = Assert.Single(after.Of<CreateRunner>());
        Assert.Equal(2, create.Attempt);
    }

    [Fact]
    public void Plan_ManyFailedRunnersAfterBackoff_DoNotCountTowardMax()
    {
        var failed = Enumerable.Range(0, 5).Select(i => Runner("linux", i, RunnerState.Failed, T0.AddMinutes(-5), attempt: 1)).ToArray();
        var jobs = Enumerable.Range(0, 5).Select(i => Queued(i.ToString(), "linux")).ToList();

        var plan = Planner().Plan(Fleet(Pool("linux", max: 5)), State(failed), jobs, T0);

        Assert.Equal(5, plan.Of<DeleteRunner>().Count);
        Assert.Equal(5, plan.Of<CreateRunner>().Count);
    }

    [Fact]
    public void Plan_ProviderBreakerOpen_WithholdsCreatesAndSaysSo()
    {
        var open = new CircuitBreakerState { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = T0.AddSeconds(-10) };
        var state = ObservedState.Empty with { Breakers = new Dictionary<string, CircuitBreakerState> { ["k8s"] = open } };

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [Queued("1", "linux"), Queued("2", "linux")], T0);

        Assert.Empty(plan.Of<CreateRunner>());
        Assert.Contains(plan.Pools.Single().Notes, n => n.Contains("2 creation(s) withheld", StringComparison.Ordinal) && n.Contains("k8s", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_ProviderBreakerHalfOpen_AllowsOneProbeAcrossPools()
    {
        var open = new CircuitBreakerState { Status = BreakerStatus.Open, ConsecutiveFailures = 5, OpenedAt = T0.AddMinutes(-2) };
        var state = ObservedState.Empty with { Breakers = new Dictionary<string, CircuitBreakerState> { ["k8s"] = open } };
        var fleet = Fleet(Pool("a", min: 2), Pool("b", min: 2), Pool("c", min: 1, provider: "ec2"));

        var plan = Planner().Plan(fleet, state, [], T0);

        var creates = plan.Of<CreateRunner>();
        Assert.Single(creates, c => c.Provider == "k8s");
        Assert.Single(creates, c => c.Provider == "ec2");
    }

    [Fact]
    public void Plan_JobMatchingTwoPools_GoesToHigherPriorityThenName()
    {
        var fleet = Fleet(
            Pool("b-general", labels: ["linux", "x64"]),
            Pool("a-general", labels: ["linux", "x64"]),
            Pool("z-big", labels: ["linux", "x64", "large"], priority: 5));

        var plan = Planner().Plan(fleet, ObservedState.Empty, [Queued("1", "linux"), Queued("2", "linux", "large")], T0);

        Assert.Equal(["z-big", "z-big"], plan.Of<CreateRunner>().Select(c => c.Pool));
        var fleetEqual = fleet with { Pools = [.. fleet.Pools.Where(p => p.Name != "z-big")] };
        var second = Planner().Plan(fleetEqual, ObservedState.Empty, [Queued("1", "linux")], T0);
        Assert.Equal("a-general", Assert.Single(second.Of<CreateRunner>()).Pool);
    }

    [Fact]
    public void Plan_JobNoPoolTakes_IsReportedAsUnmatched()
    {
        var plan = Planner().Plan(Fleet(Pool("linux")), ObservedState.Empty, [Queued("1", "linux"), Queued("2", "gpu", "arm64")], T0);

        Assert.Equal("2", Assert.Single(plan.Unmatched).Key.Id);
        Assert.Contains("unmatched: 1 waiting job(s)", PlanRenderer.Render(plan), StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SameInputs_GiveSameKeys_AndKeysNeverReuseStoredOrdinals()
    {
        var state = ObservedState.Empty with { NextOrdinals = new Dictionary<string, long> { ["linux"] = 41 } };

        var first = Planner().Plan(Fleet(Pool("linux", min: 2)), state, [], T0);
        var second = Planner().Plan(Fleet(Pool("linux", min: 2)), state, [], T0);

        Assert.Equal(["drover-linux-41", "drover-linux-42"], first.Of<CreateRunner>().Select(c => c.IdempotencyKey));
        Assert.Equal(first.Of<CreateRunner>(), second.Of<CreateRunner>());
    }

    [Fact]
    public void Plan_AppliedThenPlannedAgain_PlansNothingNew()
    {
        var fleet = Fleet(Pool("linux", idle: 1, max: 4), Pool("gpu", min: 1));
        var state = State(
            Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-30)),
            Runner("linux", 1, RunnerState.Idle, T0.AddMinutes(-20)),
            Runner("gpu", 0, RunnerState.Failed, T0.AddMinutes(-2), attempt: 1));
        var jobs = new[] { Queued("1", "linux"), Queued("2", "linux"), Queued("3", "linux"), Queued("4", "linux"), Queued("5", "linux") };

        var first = Planner().Plan(fleet, state, jobs, T0);
        var applied = PlanApplier.Apply(state, first, T0);
        var second = Planner().Plan(fleet, applied, jobs, T0);

        Assert.False(first.IsEmpty);
        Assert.True(second.IsEmpty, PlanRenderer.Render(second));
    }

    [Fact]
    public void Plan_RunnersOfRemovedPool_IdleDeletedBusyKept()
    {
        var state = State(
            Runner("old", 0, RunnerState.Idle, T0.AddMinutes(-1)),
            Runner("old", 1, RunnerState.Busy, T0.AddMinutes(-1), job: new JobKey("github", "1")));

        var plan = Planner().Plan(Fleet(Pool("linux")), state, [], T0);

        var delete = Assert.Single(plan.Of<DeleteRunner>());
        Assert.Equal(("drover-old-0", DeleteCause.PoolRemoved), (delete.RunnerId, delete.Cause));
        Assert.Contains(plan.Notes, n => n.Contains("1 busy runner(s) left", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_BudgetReached_NoNewRunnersButBusyKept()
    {
        var pool = Pool("linux", min: 2) with { Budget = new BudgetConfig { Limit = 100m } };
        var state = State(Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-1), job: new JobKey("github", "9"))) with
        {
            PoolSpend = new Dictionary<string, decimal> { ["linux"] = 100.5m },
        };

        var plan = Planner().Plan(Fleet(pool), state, [Queued("1", "linux")], T0);

        Assert.True(plan.IsEmpty);
        Assert.Contains(plan.Pools.Single().Notes, n => n.StartsWith("budget reached", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_StopWarmBudgetReached_NoWarmRunnersButQueuedJobsServed()
    {
        var pool = Pool("linux", min: 3) with { Idle = 2, Budget = new BudgetConfig { Limit = 10m, Action = BudgetAction.StopWarm } };
        var state = State() with { PoolSpend = new Dictionary<string, decimal> { ["linux"] = 10m } };

        var plan = Planner().Plan(Fleet(pool), state, [Queued("1", "linux")], T0);

        Assert.Single(plan.Of<CreateRunner>());
        Assert.Equal(1, plan.Pools.Single().Desired);
        Assert.Contains(plan.Pools.Single().Notes, n => n.Contains("stop-warm", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_PredictivePoolCutByAStopWarmBudget_CannotMeetItsWaitTargetAndSaysWhy()
    {
        var history = new Drover.Core.Demand.ArrivalHistory();
        for (var s = 0; s < 7 * 24 * 3600 * 2; s += 30)
        {
            history.Record("linux", T0.AddSeconds(s - (7 * 24 * 3600 * 2)));
        }

        var pool = Pool("linux", max: 20) with { Policy = "predictive", Budget = new BudgetConfig { Limit = 10m, Action = BudgetAction.StopWarm } };
        var spent = State() with { PoolSpend = new Dictionary<string, decimal> { ["linux"] = 10m } };

        var cut = Planner().Plan(Fleet(pool), spent, [Queued("1", "linux")], T0, history).Pools.Single();
        var within = Planner().Plan(Fleet(pool), State(), [Queued("1", "linux")], T0, history).Pools.Single();

        Assert.False(cut.SloFeasible);
        Assert.Equal(1, cut.Desired);
        var note = Assert.Single(cut.Notes, n => n.StartsWith("cannot meet the wait target", StringComparison.Ordinal));
        Assert.Contains("the policy wants 5 runners, cut to 1 by budget", note, StringComparison.Ordinal);
        Assert.True(within.SloFeasible);
        Assert.DoesNotContain(within.Notes, n => n.StartsWith("cannot meet", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_AlertOnlyBudgetReached_PlansAsBeforeAndSaysSo()
    {
        var pool = Pool("linux", min: 2) with { Budget = new BudgetConfig { Limit = 10m, Action = BudgetAction.AlertOnly } };
        var state = State() with { PoolSpend = new Dictionary<string, decimal> { ["linux"] = 12m } };

        var plan = Planner().Plan(Fleet(pool), state, [], T0);

        Assert.Equal(2, plan.Of<CreateRunner>().Count());
        Assert.Contains(plan.Pools.Single().Notes, n => n.Contains("alert-only", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_TeamBudgetReached_CapsEveryPoolOfTheTeam()
    {
        var fleet = Fleet(Pool("linux", min: 1) with { Team = "web" }, Pool("gpu", min: 1) with { Team = "web" }, Pool("other", min: 1)) with
        {
            Teams = [new TeamConfig { Name = "web", Budget = new BudgetConfig { Limit = 50m, Period = BudgetPeriod.Week } }],
        };
        var state = State() with { TeamSpend = new Dictionary<string, decimal> { ["web"] = 50m } };

        var plan = Planner().Plan(fleet, state, [], T0);

        Assert.Equal("other", Assert.Single(plan.Of<CreateRunner>()).Pool);
        Assert.All(plan.Pools.Where(p => p.Pool != "other"), p => Assert.Contains(p.Notes, n => n.StartsWith("budget reached: team/web", StringComparison.Ordinal)));
    }

    [Fact]
    public void Plan_TeamQuota_HoldsAcrossTheTeamsPools()
    {
        var fleet = Fleet(Pool("linux", min: 4) with { Team = "web" }, Pool("arm", min: 4)) with
        {
            Teams = [new TeamConfig { Name = "web", Pools = ["arm"], MaxRunners = 5 }],
        };
        var state = State(Runner("linux", 0, RunnerState.Busy, T0.AddMinutes(-1), job: new JobKey("github", "9")));

        var plan = Planner().Plan(fleet, state, [], T0);

        Assert.Equal(4, plan.Of<CreateRunner>().Count());
        Assert.Contains(plan.Pools.SelectMany(p => p.Notes), n => n.Contains("team 'web' quota reached", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_IdleOlderThanMaxLifetime_IsRecycled()
    {
        var pool = Pool("linux", min: 1) with { MaxLifetime = TimeSpan.FromHours(1) };
        var old = Runner("linux", 0, RunnerState.Idle, T0.AddMinutes(-10), created: T0.AddHours(-2));

        var plan = Planner().Plan(Fleet(pool), State(old), [], T0);

        Assert.Equal(DeleteCause.MaxLifetime, Assert.Single(plan.Of<DeleteRunner>()).Cause);
        Assert.Single(plan.Of<CreateRunner>());
    }

    [Fact]
    public void Plan_ScheduleActive_RaisesIdle()
    {
        var pool = Pool("linux") with { Schedules = [new ScheduleConfig { Cron = "* 8-18 * * 1-5", TimeZone = "Europe/Berlin", Idle = 3 }] };

        var monday = Planner().Plan(Fleet(pool), ObservedState.Empty, [], T0);
        var sunday = Planner().Plan(Fleet(pool), ObservedState.Empty, [], T0.AddDays(-1));

        Assert.Equal(3, monday.Of<CreateRunner>().Count);
        Assert.True(sunday.IsEmpty);
    }

    [Fact]
    public void Plan_DrainingPastTimeout_IsDeletedAgain()
    {
        var plan = Planner().Plan(Fleet(Pool("linux")), State(Runner("linux", 0, RunnerState.Draining, T0.AddMinutes(-11))), [], T0);

        Assert.Equal(DeleteCause.Stuck, Assert.Single(plan.Of<DeleteRunner>()).Cause);
    }
}
