using System.Runtime.CompilerServices;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Policies;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// Computes what to do next as a pure, deterministic diff between what the pools should have and what is observed.
/// Level-triggered: applying a plan and planning again at the same instant plans nothing new.
/// </summary>
public sealed class Planner
{
    private readonly PolicyRegistry _policies;
    private readonly CircuitBreakerOptions _breakerOptions;

    // Per-config indexes (pools by name and in name order, the label matcher), built once per FleetConfig instance.
    // Configs are immutable records; a new config is a new instance and gets its own entry.
    private readonly ConditionalWeakTable<FleetConfig, ConfigIndex> _indexes = new();

    // Shared empty inputs of a cycle, read only: most plans have no runner off a running job and no finished job held.
    private static readonly HashSet<Runner> NoRunners = new(ReferenceEqualityComparer.Instance);
    private static readonly Dictionary<JobKey, Job> NoJobs = [];

    public Planner(PolicyRegistry policies, CircuitBreakerOptions? breakerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = policies;
        _breakerOptions = breakerOptions ?? CircuitBreakerOptions.Default;
    }

    /// <summary>Plans one cycle over <paramref name="jobs"/> (only waiting and running jobs matter, and finished ones busy runners still hold).</summary>
    /// <remarks>Matches every waiting job; a loop that plans again and again passes its <see cref="JobLedger"/> instead.</remarks>
    public Plan Plan(FleetConfig config, ObservedState observed, IReadOnlyCollection<Job> jobs, DateTimeOffset now, IDemandHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        return Plan(config, observed, JobLedger.Of(jobs), now, history);
    }

    /// <summary>
    /// Plans one cycle over the ledger's jobs. The waiting jobs come from the ledger's <see cref="WaitingAssignment"/>,
    /// which re-matches only the jobs that changed since the last plan; the rest of the work follows the runners and
    /// pools, so a backlog of waiting jobs costs nothing per plan.
    /// </summary>
    public Plan Plan(FleetConfig config, ObservedState observed, JobLedger ledger, DateTimeOffset now, IDemandHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(ledger);

        var index = _indexes.GetValue(config, static c => new ConfigIndex(c));
        var poolsByName = index.PoolsByName;
        var assignment = ledger.AssignWaiting(index.Matcher);
        var runnersByPool = new Dictionary<string, List<Runner>>(StringComparer.Ordinal);
        List<(JobKey Key, Job Job)>? busyJobs = null;
        HashSet<Runner>? offRunningJobs = null;
        // Sized for an even spread of the runners over the pools, so a list rarely grows while it is filled.
        var perPool = (observed.Runners.Count / Math.Max(1, poolsByName.Count)) + 1;
        foreach (var runner in observed.Runners)
        {
            if (!runnersByPool.TryGetValue(runner.Pool, out var list))
            {
                list = new List<Runner>(perPool);
                runnersByPool[runner.Pool] = list;
            }

            list.Add(runner);
            if (runner.Job is not { } key)
            {
                continue;
            }

            // One ledger look-up per runner that holds a job: the rest of the plan works from what it found. Running
            // jobs tell which busy runners are still working; the few runners whose job the ledger does not have
            // running are the ones kept (usually none, so nothing is allocated).
            var job = ledger.Get(key);
            if (job is not { State: JobState.Running })
            {
                (offRunningJobs ??= new HashSet<Runner>(ReferenceEqualityComparer.Instance)).Add(runner);
            }

            // A busy runner past its busy timeout is about to be reaped: its job no longer counts as taken. Only queued
            // and finished jobs are looked at here, never running ones, so the running-job ceiling plays no part.
            if (job is not null && (job.State == JobState.Queued || job.IsFinished)
                && runner.State == RunnerState.Busy
                && now - runner.StateSince < (poolsByName.TryGetValue(runner.Pool, out var owner) ? owner.Timeouts.Busy : RunnerTimeouts.Default.Busy))
            {
                (busyJobs ??= []).Add((key, job));
            }
        }

        // Queued jobs a busy runner already took are not demand twice; finished jobs tell which busy runners are stuck.
        // Two runners naming one job add it once: taken keys are a set, and finished jobs are keyed.
        Dictionary<JobKey, Job>? finished = null;
        Dictionary<string, HashSet<JobKey>>? taken = null;
        if (busyJobs is not null)
        {
            foreach (var (key, job) in busyJobs)
            {
                if (job.State == JobState.Queued)
                {
                    var pool = assignment.PoolOf(key) ?? string.Empty;
                    taken ??= new Dictionary<string, HashSet<JobKey>>(StringComparer.Ordinal);
                    if (!taken.TryGetValue(pool, out var keys))
                    {
                        keys = [];
                        taken[pool] = keys;
                    }

                    keys.Add(key);
                }
                else if (job.IsFinished)
                {
                    (finished ??= [])[key] = job;
                }
            }
        }

        var context = new PlanningCycle(config, observed, now, history, finished ?? NoJobs, offRunningJobs ?? NoRunners, _breakerOptions);
        context.Shares = config.PriorityClasses.Count == 0
            ? CapacityShares.Compute(context, pool => [assignment.For(pool).Count], static _ => 0)
            : CapacityShares.Compute(context, pool => QueuedByClass(config, assignment.For(pool)), runner => ClassOfBusy(config, ledger, runner));
        context.Notes.AddRange(context.Shares.Notes);
        var pools = new List<PoolPlan>(config.Pools.Count);
        DateTimeOffset? wake = null;
        foreach (var pool in index.PoolsInOrder)
        {
            var runners = runnersByPool.TryGetValue(pool.Name, out var list) ? list : [];
            var queued = WaitingView.Of(assignment.For(pool.Name), taken?.GetValueOrDefault(pool.Name));
            var poolPlan = PoolPlanning.PlanPool(context, pool, _policies.Get(pool.Policy), runners, queued);
            pools.Add(poolPlan);
            if (poolPlan.NextWakeAt is { } poolWake)
            {
                wake = PoolPlanning.Earliest(wake, poolWake, now);
            }
        }

        if (runnersByPool.Count > poolsByName.Count || !AllConfigured(runnersByPool, poolsByName))
        {
            foreach (var (poolName, runners) in runnersByPool.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                if (!poolsByName.ContainsKey(poolName))
                {
                    PoolPlanning.PlanRemovedPool(context, poolName, runners);
                }
            }
        }

        if (OrphanDetection.Plan(context) is { } orphanWake)
        {
            wake = PoolPlanning.Earliest(wake, orphanWake, now);
        }

        return new Plan
        {
            At = now,
            Actions = context.Actions,
            Pools = pools,
            Unmatched = [.. WaitingView.Of(assignment.Unmatched, taken?.GetValueOrDefault(string.Empty))],
            Notes = context.Notes,
            NextWakeAt = wake,
        };
    }

    /// <summary>Queued jobs by priority class (index 0 the highest; the last, jobs no class matches).</summary>
    private static int[] QueuedByClass(FleetConfig config, IReadOnlyCollection<Job> jobs)
    {
        var counts = new int[config.PriorityClasses.Count + 1];
        foreach (var job in jobs)
        {
            counts[config.PriorityClassOf(job)]++;
        }

        return counts;
    }

    /// <summary>The priority class of the job a busy runner runs; the lowest when the ledger does not know it.</summary>
    private static int ClassOfBusy(FleetConfig config, JobLedger ledger, Runner runner) =>
        runner.Job is { } key && ledger.Get(key) is { } job ? config.PriorityClassOf(job) : config.PriorityClasses.Count;

    private static bool AllConfigured(Dictionary<string, List<Runner>> runnersByPool, Dictionary<string, PoolConfig> poolsByName)
    {
        foreach (var poolName in runnersByPool.Keys)
        {
            if (!poolsByName.ContainsKey(poolName))
            {
                return false;
            }
        }

        return true;
    }

    private sealed class ConfigIndex(FleetConfig config)
    {
        public Dictionary<string, PoolConfig> PoolsByName { get; } = config.Pools.ToDictionary(p => p.Name, StringComparer.Ordinal);

        public PoolConfig[] PoolsInOrder { get; } = [.. config.Pools.OrderBy(p => p.Name, StringComparer.Ordinal)];

        public PoolMatcher Matcher { get; } = new(config);
    }
}
