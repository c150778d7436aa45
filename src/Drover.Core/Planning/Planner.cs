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

    public Planner(PolicyRegistry policies, CircuitBreakerOptions? breakerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(policies);
        _policies = policies;
        _breakerOptions = breakerOptions ?? CircuitBreakerOptions.Default;
    }

    /// <summary>Plans one cycle. <paramref name="jobs"/> is the ledger's view (only waiting and running jobs matter).</summary>
    public Plan Plan(FleetConfig config, ObservedState observed, IReadOnlyCollection<Job> jobs, DateTimeOffset now, IDemandHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(observed);
        ArgumentNullException.ThrowIfNull(jobs);

        var index = _indexes.GetValue(config, static c => new ConfigIndex(c));
        var poolsByName = index.PoolsByName;
        var runnersByPool = new Dictionary<string, List<Runner>>(StringComparer.Ordinal);
        var busyJobs = new HashSet<JobKey>();
        foreach (var runner in observed.Runners)
        {
            if (!runnersByPool.TryGetValue(runner.Pool, out var list))
            {
                list = [];
                runnersByPool[runner.Pool] = list;
            }

            list.Add(runner);
            // A busy runner past its busy timeout is about to be reaped: its job no longer counts as taken. Only queued
            // and finished jobs are looked up here, never running ones, so the running-job ceiling plays no part.
            if (runner is { State: RunnerState.Busy, Job: { } key }
                && now - runner.StateSince < (poolsByName.TryGetValue(runner.Pool, out var owner) ? owner.Timeouts.Busy : RunnerTimeouts.Default.Busy))
            {
                busyJobs.Add(key);
            }
        }

        // Queued jobs a busy runner already took are not demand twice; finished jobs tell which busy runners are stuck;
        // running jobs tell which busy runners are still working.
        var waiting = new List<Job>();
        var finished = new Dictionary<JobKey, Job>();
        var running = new HashSet<JobKey>();
        foreach (var job in jobs)
        {
            if (job.State == JobState.Queued && !busyJobs.Contains(job.Key))
            {
                waiting.Add(job);
            }
            else if (job.IsFinished && busyJobs.Contains(job.Key))
            {
                finished[job.Key] = job;
            }
            else if (job.State == JobState.Running)
            {
                running.Add(job.Key);
            }
        }

        var match = index.Matcher.Assign(waiting);
        var context = new PlanningCycle(config, observed, now, history, finished, running, _breakerOptions);
        context.Shares = CapacityShares.Compute(context, pool => match.For(pool).Count);
        context.Notes.AddRange(context.Shares.Notes);
        var pools = new List<PoolPlan>(config.Pools.Count);
        DateTimeOffset? wake = null;
        foreach (var pool in index.PoolsInOrder)
        {
            var runners = runnersByPool.TryGetValue(pool.Name, out var list) ? list : [];
            var poolPlan = PoolPlanning.PlanPool(context, pool, _policies.Get(pool.Policy), runners, match.For(pool.Name));
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
            Unmatched = match.Unmatched,
            Notes = context.Notes,
            NextWakeAt = wake,
        };
    }

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
