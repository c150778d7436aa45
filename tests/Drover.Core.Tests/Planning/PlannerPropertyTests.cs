using CsCheck;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Planning;

/// <summary>Properties that must hold for any fleet, observed state and demand.</summary>
public sealed class PlannerPropertyTests
{
    private const int Iterations = 2_000;

    private sealed record PoolSpec(int Min, int Extra, int Idle, int Priority, bool Shared);

    private sealed record RunnerSpec(int Pool, RunnerState State, int AgeSeconds, int ExtraAge, int Attempt);

    private sealed record JobSpec(int Pool, bool Shared, bool Unknown);

    private sealed record Scenario(PoolSpec[] Pools, RunnerSpec[] Runners, JobSpec[] Jobs)
    {
        public override string ToString() =>
            $"pools [{string.Join("; ", Pools.Select(p => p.ToString()))}] runners [{string.Join("; ", Runners.Select(r => r.ToString()))}] jobs [{string.Join("; ", Jobs.Select(j => j.ToString()))}]";
    }

    private static readonly Gen<PoolSpec> PoolGen = Gen.Select(Gen.Int[0, 3], Gen.Int[0, 8], Gen.Int[0, 3], Gen.Int[0, 2], Gen.Bool, (min, extra, idle, priority, shared) => new PoolSpec(min, extra, idle, priority, shared));

    private static readonly Gen<RunnerSpec> RunnerGen = Gen.Select(Gen.Int[0, 4], Gen.Enum<RunnerState>(), Gen.Int[0, 4_000], Gen.Int[0, 20_000], Gen.Int[1, 7], (pool, state, age, extra, attempt) => new RunnerSpec(pool, state, age, extra, attempt));

    private static readonly Gen<JobSpec> JobGen = Gen.Select(Gen.Int[0, 4], Gen.Bool, Gen.Int[0, 9], (pool, shared, unknown) => new JobSpec(pool, shared, unknown == 0));

    private static readonly Gen<Scenario> ScenarioGen = Gen.Select(PoolGen.Array[1, 4], RunnerGen.Array[0, 24], JobGen.Array[0, 40], (p, r, j) => new Scenario(p, r, j));

    private static (FleetConfig Fleet, ObservedState State, List<Job> Jobs) Build(Scenario s)
    {
        var pools = s.Pools.Select((p, i) => Pool($"p{i}", min: p.Min, max: p.Min + p.Extra, idle: p.Idle, labels: p.Shared ? [$"l{i}", "linux"] : [$"l{i}"], priority: p.Priority)).ToArray();
        var fleet = Fleet(pools);
        var jobs = new List<Job>();
        var runners = new List<Runner>();
        for (var i = 0; i < s.Runners.Length; i++)
        {
            var spec = s.Runners[i];
            var pool = pools[spec.Pool % pools.Length].Name;
            var since = T0.AddSeconds(-spec.AgeSeconds);
            JobKey? job = null;
            if (spec.State == RunnerState.Busy)
            {
                job = new JobKey("github", $"running-{i}");
                jobs.Add(new Job { Key = job.Value, State = JobState.Running, Labels = [$"l{spec.Pool % pools.Length}"], StartedAt = since, LastEventAt = since });
            }

            runners.Add(Runner(pool, i, spec.State, since, created: since.AddSeconds(-spec.ExtraAge), job: job, attempt: spec.State == RunnerState.Failed ? spec.Attempt : 0));
        }

        for (var i = 0; i < s.Jobs.Length; i++)
        {
            var spec = s.Jobs[i];
            string[] labels = spec.Unknown ? ["gpu"] : spec.Shared ? ["linux"] : ["self-hosted", $"l{spec.Pool % pools.Length}"];
            jobs.Add(Queued($"q{i}", T0.AddSeconds(-i), labels));
        }

        return (fleet, State([.. runners]), jobs);
    }

    [Fact]
    public void Plan_AppliedThenPlannedAgainAtSameInstant_PlansNothingNew()
    {
        ScenarioGen.Sample(s =>
        {
            var (fleet, state, jobs) = Build(s);
            var first = Planner().Plan(fleet, state, jobs, T0);
            var second = Planner().Plan(fleet, PlanApplier.Apply(state, first, T0), jobs, T0);
            Assert.True(second.IsEmpty, PlanRenderer.Render(second));
        }, iter: Iterations);
    }

    /// <summary>The scenario's fleet with its pools in teams (by index, of 1 to 3 teams weighted 1 to 3) sharing k8s's <paramref name="capacity"/>.</summary>
    private static FleetConfig Shared(FleetConfig fleet, int capacity, int teams) => fleet with
    {
        Providers = [.. fleet.Providers.Select(p => p.Name == "k8s" ? p with { MaxRunners = capacity } : p)],
        Pools = [.. fleet.Pools.Select((p, i) => p with { Team = $"t{i % teams}" })],
        Teams = [.. Enumerable.Range(0, teams).Select(t => new TeamConfig { Name = $"t{t}", Weight = t + 1 })],
    };

    [Fact]
    public void Plan_SharedCapacity_NeverExceeded_OnlyIdleReclaimed_PlannedAgainOnlyFillsWhatScaleDownFreed()
    {
        ScenarioGen.Select(Gen.Int[0, 20], Gen.Int[1, 3]).Sample(input =>
        {
            var ((fleet, state, jobs), capacity, teams) = (Build(input.Item1), input.Item2, input.Item3);
            var shared = Shared(fleet, capacity, teams);
            var plan = Planner().Plan(shared, state, jobs, T0);
            var after = PlanApplier.Apply(state, plan, T0);
            Assert.True(
                !plan.Of<CreateRunner>().Any() || after.Runners.Count(r => r.IsActive) <= capacity,
                $"{after.Runners.Count(r => r.IsActive)} active after a plan that creates, on a capacity of {capacity}");
            Assert.DoesNotContain(plan.Of<DeleteRunner>(), d => d.Cause == DeleteCause.Reclaimed && state.Runners.Single(r => r.Id == d.RunnerId).State != RunnerState.Idle);
            // Planned again at the same instant, the only news are slots this plan's scale-down freed (decided after the
            // shares, so the next plan uses them): at most that many creates, nothing else.
            var second = Planner().Plan(shared, after, jobs, T0);
            var freed = plan.Of<DeleteRunner>().Count(d => d.Cause == DeleteCause.ScaleDown);
            Assert.True(second.Actions.All(a => a is CreateRunner) && second.Actions.Count <= freed, $"{freed} freed by scale-down\n" + PlanRenderer.Render(second));
        }, iter: Iterations);
    }

    [Fact]
    public void Plan_SameInputs_SamePlan()
    {
        ScenarioGen.Sample(s =>
        {
            var (fleet, state, jobs) = Build(s);
            var a = Planner().Plan(fleet, state, jobs, T0);
            var b = Planner().Plan(fleet, state, jobs.AsEnumerable().Reverse().ToList(), T0);
            Assert.Equal(a.Actions, b.Actions);
        }, iter: Iterations);
    }

    [Fact]
    public void Plan_NeverCreatesBeyondMax()
    {
        ScenarioGen.Sample(s =>
        {
            var (fleet, state, jobs) = Build(s);
            var plan = Planner().Plan(fleet, state, jobs, T0);
            var after = PlanApplier.Apply(state, plan, T0);
            foreach (var pool in fleet.Pools)
            {
                if (plan.Of<CreateRunner>().Any(c => c.Pool == pool.Name))
                {
                    Assert.True(after.Runners.Count(r => r.Pool == pool.Name && r.IsActive) <= pool.Max, $"pool {pool.Name} exceeds max {pool.Max}");
                }
            }
        }, iter: Iterations);
    }

    [Fact]
    public void Plan_NeverDeletesABusyRunnerWhoseJobIsRunningWithinTimeout()
    {
        ScenarioGen.Sample(s =>
        {
            var (fleet, state, jobs) = Build(s);
            var plan = Planner().Plan(fleet, state, jobs, T0);
            var busy = state.Runners
                .Where(r => r.State == RunnerState.Busy && T0 - r.StateSince < RunnerTimeouts.Default.Busy)
                .Select(r => r.Id)
                .ToHashSet();
            Assert.DoesNotContain(plan.Of<DeleteRunner>(), d => busy.Contains(d.RunnerId));
            Assert.DoesNotContain(plan.Of<DeleteRunner>(), d => state.Runners.Single(r => r.Id == d.RunnerId).State == RunnerState.Registering && T0 - state.Runners.Single(r => r.Id == d.RunnerId).StateSince < RunnerTimeouts.Default.Registering);
        }, iter: Iterations);
    }

    [Fact]
    public void Plan_CoversEveryMatchableQueuedJobWithinMax()
    {
        ScenarioGen.Sample(s =>
        {
            var (fleet, state, jobs) = Build(s);
            var plan = Planner().Plan(fleet, state, jobs, T0);
            var after = PlanApplier.Apply(state, plan, T0);
            foreach (var pool in plan.Pools)
            {
                // A failed runner still in its retry backoff legitimately delays its replacement.
                var inBackoff = state.Runners.Any(r => r.Pool == pool.Pool && r.State == RunnerState.Failed && T0 < RetryBackoff.RetryAt(r));
                if (inBackoff)
                {
                    continue;
                }

                var active = after.Runners.Count(r => r.Pool == pool.Pool && r.IsActive);
                var needed = Math.Min(pool.Limits.Max, pool.Demand.Queued + pool.Demand.Running);
                Assert.True(active >= needed, $"pool {pool.Pool}: {active} active runners for {pool.Demand.Queued} queued + {pool.Demand.Running} running (max {pool.Limits.Max})");
            }

            var queued = jobs.Where(j => j.State == JobState.Queued).ToList();
            var matchable = queued.Count(j => fleet.Pools.Any(p => LabelRules.GitHubMatches(p.Labels, j.Labels)));
            Assert.Equal(matchable, plan.Pools.Sum(p => p.Demand.Queued));
            Assert.Equal(queued.Count - matchable, plan.Unmatched.Count);
        }, iter: Iterations);
    }
}
