using CsCheck;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Runners;
using static Drover.Core.Tests.Planning.Fixtures;

namespace Drover.Core.Tests.Matching;

/// <summary>
/// The ledger's incrementally kept <see cref="WaitingAssignment"/> against a full re-match of every waiting job, on
/// random job streams: queued (with and without labels, in and out of scope), started, completed, cancelled, expiry,
/// pruning and busy runners holding jobs the ledger still has queued.
/// </summary>
public sealed class WaitingAssignmentPropertyTests
{
    private static readonly string[][] LabelSets = [[], ["linux"], ["linux", "x64"], ["self-hosted", "LINUX", "gpu"], ["gpu"], ["docker"], ["windows"], ["docker", "linux"]];

    private static readonly string?[] Scopes = ["acme/web", "acme/app", "other/web", null];

    private static readonly FleetConfig Pools = Fleet(
        Pool("a-linux", labels: ["linux", "x64"], max: 50),
        Pool("b-gpu", labels: ["linux", "gpu"], priority: 1, max: 3),
        Pool("c-web", labels: ["linux"], priority: 2, max: 50) with { Scope = new PoolScope(ScopeKind.Repository, "acme/web") },
        Pool("d-docker", forge: "gitlab", max: 50) with { Labels = [], Tags = ["docker", "linux"], RunUntagged = true, Scope = new PoolScope(ScopeKind.Group, "acme") },
        Pool("e-idle", labels: ["windows"], idle: 2, max: 4));

    /// <summary>One step: an event for a job, a runner taking a job, expiry and pruning, or a plan to compare.</summary>
    private sealed record Step(int Kind, int Job, int Labels, int Scope, bool WithLabels, int Forge);

    private static readonly Gen<Step> GenStep =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 29], Gen.Int[0, LabelSets.Length - 1], Gen.Int[0, Scopes.Length - 1], Gen.Int[0, 4], Gen.Int[0, 3],
            (kind, job, labels, scope, withLabels, forge) => new Step(kind, job, labels, scope, withLabels > 0, forge));

    [Fact]
    public void AssignWaiting_RandomJobStreams_EqualsFullRematchAndPlansAlike()
    {
        GenStep.Array[1, 120].Sample(steps =>
        {
            var ledger = new JobLedger();
            var planner = Planner();
            var busy = new Dictionary<int, JobKey>();
            var minute = 0;
            foreach (var step in steps)
            {
                minute++;
                var at = T0.AddMinutes(minute);
                var key = new JobKey(step.Forge == 0 ? "gitlab" : "github", $"job-{step.Job}");
                switch (step.Kind)
                {
                    case 0 or 1 or 2:
                        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Queued, At = at, Labels = step.WithLabels ? LabelSets[step.Labels] : [], Scope = Scopes[step.Scope] });
                        break;
                    case 3:
                        ledger.Apply(new JobEvent { Key = key, Kind = JobEventKind.Started, At = at, Labels = step.WithLabels ? LabelSets[step.Labels] : [], RunnerName = $"runner-{step.Scope}" });
                        break;
                    case 4:
                        ledger.Apply(new JobEvent { Key = key, Kind = step.WithLabels ? JobEventKind.Completed : JobEventKind.Cancelled, At = at, RunnerName = step.Labels % 2 == 0 ? $"runner-{step.Scope}" : null });
                        break;
                    case 5:
                        // A runner takes the job before the forge says it started (or after it finished).
                        busy[step.Job % 6] = key;
                        break;
                    case 6:
                        // Expiry and pruning look only at the jobs old enough, and find exactly what a scan finds.
                        var maxAge = TimeSpan.FromMinutes(20 + step.Job);
                        var stale = ledger.Waiting.Count(j => at - j.LastEventAt > maxAge);
                        Assert.Equal(stale, ledger.ExpireStale(at, maxAge));
                        var cutoff = at - TimeSpan.FromMinutes(step.Job);
                        var old = ledger.Jobs.Count(j => j.IsFinished && (j.FinishedAt ?? j.LastEventAt) < cutoff);
                        Assert.Equal(old, ledger.Prune(cutoff));
                        Assert.DoesNotContain(ledger.Jobs, j => j.IsFinished && (j.FinishedAt ?? j.LastEventAt) < cutoff);
                        break;
                    default:
                        ComparePlans(planner, ledger, busy, at);
                        break;
                }
            }

            ComparePlans(planner, ledger, busy, T0.AddMinutes(minute + 1));
        }, iter: 400);
    }

    [Fact]
    public void Plan_BacklogOfWaitingJobs_MatchesOnlyTheJobsThatChangedSinceTheLastPlan()
    {
        var ledger = new JobLedger();
        var planner = Planner();
        for (var i = 0; i < 5_000; i++)
        {
            ledger.Apply(new JobEvent { Key = new JobKey("github", $"backlog-{i}"), Kind = JobEventKind.Queued, At = T0, Labels = ["linux", "x64"], Scope = "acme/app" });
        }

        planner.Plan(Pools, ObservedState.Empty, ledger, T0);
        var assignment = ledger.AssignWaiting(new PoolMatcher(Pools));
        var afterFirst = assignment.Matches;

        for (var cycle = 1; cycle <= 10; cycle++)
        {
            ledger.Apply(new JobEvent { Key = new JobKey("github", $"new-{cycle}"), Kind = JobEventKind.Queued, At = T0.AddSeconds(cycle), Labels = ["linux"], Scope = "acme/web" });
            ledger.Apply(new JobEvent { Key = new JobKey("github", $"backlog-{cycle}"), Kind = JobEventKind.Started, At = T0.AddSeconds(cycle) });
            var plan = planner.Plan(Pools, ObservedState.Empty, ledger, T0.AddSeconds(cycle));

            Assert.Equal(5_000 - cycle, plan.Pools.Single(p => p.Pool == "a-linux").Demand.Queued);
            Assert.Equal(cycle, plan.Pools.Single(p => p.Pool == "c-web").Demand.Queued);
        }

        // 5,000 matches to build the assignment, then one per job that started waiting: none for the backlog.
        Assert.Equal(5_000, afterFirst);
        Assert.Same(assignment, ledger.AssignWaiting(new PoolMatcher(Pools)));
        Assert.Equal(5_010, assignment.Matches);
    }

    [Fact]
    public void AssignWaiting_MatcherThatAssignsDifferently_Rebuilds()
    {
        var ledger = new JobLedger();
        ledger.Apply(new JobEvent { Key = new JobKey("github", "1"), Kind = JobEventKind.Queued, At = T0, Labels = ["linux"], Scope = "acme/web" });
        var all = ledger.AssignWaiting(new PoolMatcher(Pools));
        Assert.Equal("c-web", all.PoolOf(new JobKey("github", "1")));

        // c-web drained: its jobs go to the next pool that takes them (b-gpu, priority 1, carries linux too).
        var drained = Pools with { Pools = [.. Pools.Pools.Where(p => p.Name != "c-web")] };
        var without = ledger.AssignWaiting(new PoolMatcher(drained));

        Assert.NotSame(all, without);
        Assert.Equal("b-gpu", without.PoolOf(new JobKey("github", "1")));
        Assert.Same(without, ledger.AssignWaiting(new PoolMatcher(drained with { })));
    }

    private static void ComparePlans(Planner planner, JobLedger ledger, Dictionary<int, JobKey> busy, DateTimeOffset at)
    {
        var runners = busy.Select(b => Runner(b.Value.Id.Length % 2 == 0 ? "a-linux" : "e-idle", b.Key, RunnerState.Busy, at.AddMinutes(-3), job: b.Value)).ToArray();
        var observed = State(runners);

        var incremental = planner.Plan(Pools, observed, ledger, at);
        var full = Planner().Plan(Pools, observed, [.. ledger.Jobs], at);

        var assignment = ledger.AssignWaiting(new PoolMatcher(Pools));
        var rematch = new PoolMatcher(Pools).Assign(ledger.Waiting);
        foreach (var pool in Pools.Pools)
        {
            Assert.Equal(Keys(rematch.For(pool.Name)), Keys(assignment.For(pool.Name)));
        }

        Assert.Equal(Keys(rematch.Unmatched), Keys(assignment.Unmatched));

        // What the planner counted before it kept the assignment: every waiting job no busy runner took, re-matched.
        var taken = runners.Where(r => at - r.StateSince < Pools.FindPool(r.Pool)!.Timeouts.Busy).Select(r => r.Job!.Value).ToHashSet();
        var expected = new PoolMatcher(Pools).Assign(ledger.Waiting.Where(j => !taken.Contains(j.Key)));
        foreach (var pool in incremental.Pools)
        {
            Assert.Equal(expected.For(pool.Pool).Count, pool.Demand.Queued);
        }

        Assert.Equal(Keys(expected.Unmatched), Keys(incremental.Unmatched));
        Assert.Equal(Render(full), Render(incremental));

        // Each runner's jobs, looked up by name, as a scan of the jobs finds them (where only one job qualifies).
        foreach (var name in Scopes.Select((_, i) => $"runner-{i}"))
        {
            var runningOn = ledger.Jobs.Where(j => j.RunnerName == name && j.State == JobState.Running).Select(j => j.Key).ToList();
            var finishedOn = ledger.Jobs.Where(j => j.RunnerName == name && j.IsFinished).Select(j => j.Key).ToList();
            var (running, finished) = ledger.JobsOn(name);
            if (runningOn.Count <= 1)
            {
                Assert.Equal(runningOn.Count == 1 ? runningOn[0] : (JobKey?)null, running);
            }

            if (finishedOn.Count <= 1)
            {
                Assert.Equal(finishedOn.Count == 1 ? finishedOn[0] : (JobKey?)null, finished);
            }
        }
    }

    private static string Render(Plan plan) => PlanRenderer.Render(plan with { Unmatched = [.. plan.Unmatched.OrderBy(j => j.Key.ToString(), StringComparer.Ordinal)] });

    private static List<string> Keys(IEnumerable<Job> jobs) => [.. jobs.Select(j => j.Key.ToString()).Order(StringComparer.Ordinal)];
}
