using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>The per-pool half of the planner: reap, decide, clamp, then create or scale down.</summary>
internal static class PoolPlanning
{
    public static PoolPlan PlanPool(PlanningCycle cycle, PoolConfig pool, IScalingPolicy policy, IReadOnlyList<Runner> runners, IReadOnlyList<Job> queued)
    {
        var now = cycle.Now;
        var notes = new List<string>();
        var actions = cycle.Actions;
        var before = actions.Count;
        int booting = 0, busy = 0, draining = 0, failed = 0, heldFailed = 0;
        var idle = new List<Runner>();
        var dueFailed = new List<Runner>();
        DateTimeOffset? nextRetry = null;

        foreach (var runner in runners)
        {
            switch (runner.State)
            {
                case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering:
                    if (IsPast(runner, TimeoutOf(runner.State, pool.Timeouts), now, out var age))
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"{Describe(runner.State)} for {DurationParser.Format(age)}, past its {DurationParser.Format(TimeoutOf(runner.State, pool.Timeouts))} timeout");
                    }
                    else
                    {
                        booting++;
                    }

                    break;
                case RunnerState.Idle:
                    if (pool.MaxLifetime is { } lifetime && now - runner.CreatedAt >= lifetime)
                    {
                        Delete(cycle, runner, DeleteCause.MaxLifetime, $"idle and {DurationParser.Format(now - runner.CreatedAt)} old, past maxLifetime {DurationParser.Format(lifetime)}");
                    }
                    else
                    {
                        idle.Add(runner);
                    }

                    break;
                case RunnerState.Busy:
                    if (runner.Job is { } key && cycle.FinishedJobsOfBusyRunners.TryGetValue(key, out var job)
                        && job.FinishedAt is { } finishedAt && now - finishedAt >= pool.Timeouts.FinishedJobGrace)
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"still busy {DurationParser.Format(now - finishedAt)} after its job {key} finished");
                    }
                    else if (IsPast(runner, pool.Timeouts.Busy, now, out var busyFor))
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"busy for {DurationParser.Format(busyFor)}, past the {DurationParser.Format(pool.Timeouts.Busy)} busy timeout");
                    }
                    else
                    {
                        busy++;
                    }

                    break;
                case RunnerState.Draining:
                    draining++;
                    if (IsPast(runner, pool.Timeouts.Draining, now, out var drainingFor))
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"deletion unconfirmed for {DurationParser.Format(drainingFor)}; deleting again");
                    }

                    break;
                case RunnerState.Failed:
                    failed++;
                    var retryAt = RetryBackoff.RetryAt(runner);
                    if (now >= retryAt)
                    {
                        dueFailed.Add(runner);
                        Delete(cycle, runner, DeleteCause.Failed, $"failed ({runner.FailureReason ?? "no reason given"}), attempt {runner.Attempt}; cleaning up");
                    }
                    else
                    {
                        heldFailed++;
                        nextRetry = nextRetry is null || retryAt < nextRetry ? retryAt : nextRetry;
                    }

                    break;
            }
        }

        if (heldFailed > 0)
        {
            notes.Add($"{heldFailed} failed runner(s) in retry backoff; next replacement at {nextRetry.GetValueOrDefault().UtcDateTime:HH:mm:ss}Z");
        }

        var limits = ScheduleOverlay.Apply(pool, now);
        var demand = new PoolDemand(queued.Count, busy, queued);
        var counts = new PoolRunnerCounts(booting, idle.Count, busy, draining, failed);
        var decision = policy.Decide(new PolicyContext { Pool = pool, Limits = limits, Demand = demand, Runners = counts, Now = now, History = cycle.History });
        var (desired, reason) = Clamp(decision, limits);
        if (pool.Budget is { } budget && cycle.Observed.PoolSpend.TryGetValue(pool.Name, out var spend) && spend >= budget.Limit && desired > busy)
        {
            desired = busy;
            notes.Add($"budget reached: {spend:0.##} of {budget.Limit:0.##} {budget.Currency} this {budget.Period.ToString().ToLowerInvariant()}; no new runners");
            reason += $"; budget reached, capped at {busy} busy";
        }

        var active = booting + idle.Count + busy;
        var creates = 0;
        if (desired > active + heldFailed)
        {
            var wanted = desired - active - heldFailed;
            creates = cycle.TakeCreates(pool.Provider, wanted, out var withheld);
            if (withheld is not null)
            {
                notes.Add($"{wanted - creates} creation(s) withheld: {withheld}");
            }

            var attempts = dueFailed.Select(r => r.Attempt).OrderDescending().ToList();
            var ordinal = NextOrdinal(cycle, pool.Name, runners);
            for (var i = 0; i < creates; i++, ordinal++)
            {
                var attempt = i < attempts.Count ? attempts[i] : 0;
                var why = attempt > 0
                    ? $"replaces a failed runner (retry {attempt}); desired {desired}, active {active}"
                    : $"scale up: desired {desired}, active {active}";
                actions.Add(new CreateRunner(pool.Name, pool.Provider, RunnerKeys.For(cycle.Config.ControllerId, pool.Name, ordinal), ordinal, attempt, why));
            }
        }
        else if (desired < active)
        {
            var surplus = active - desired;
            var removable = idle
                .Where(r => now - r.StateSince >= pool.IdleTimeout)
                .OrderBy(r => r.CreatedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Take(surplus)
                .ToList();
            foreach (var runner in removable)
            {
                Delete(cycle, runner, DeleteCause.ScaleDown, $"scale down: desired {desired}, active {active}; idle for {DurationParser.Format(now - runner.StateSince)}");
            }

            if (removable.Count < surplus)
            {
                var young = idle.Count(r => now - r.StateSince < pool.IdleTimeout);
                notes.Add($"{surplus - removable.Count} surplus runner(s) kept: {young} idle for less than idleTimeout {DurationParser.Format(pool.IdleTimeout)}, the rest busy or booting");
            }
        }

        return new PoolPlan
        {
            Pool = pool.Name,
            Policy = policy.Name,
            Limits = limits,
            Demand = demand,
            Runners = counts,
            Desired = desired,
            Reason = reason,
            Creates = creates,
            Deletes = actions.Count - before - creates,
            Notes = notes,
        };

        static TimeSpan TimeoutOf(RunnerState state, RunnerTimeouts t) => state switch
        {
            RunnerState.Requested => t.Requested,
            RunnerState.Provisioning => t.Provisioning,
            _ => t.Registering,
        };
    }

    /// <summary>Runners of a pool that is no longer configured: everything that is not running a job goes.</summary>
    public static void PlanRemovedPool(PlanningCycle cycle, string pool, IReadOnlyList<Runner> runners)
    {
        var kept = 0;
        foreach (var runner in runners.OrderBy(r => r.Id, StringComparer.Ordinal))
        {
            if (runner.State == RunnerState.Gone)
            {
                continue;
            }

            if (runner.State == RunnerState.Busy)
            {
                kept++;
            }
            else if (runner.State != RunnerState.Draining || IsPast(runner, RunnerTimeouts.Default.Draining, cycle.Now, out _))
            {
                Delete(cycle, runner, DeleteCause.PoolRemoved, $"pool '{pool}' is no longer configured");
            }
        }

        if (kept > 0)
        {
            cycle.Notes.Add($"pool '{pool}' is no longer configured; {kept} busy runner(s) left to finish their jobs");
        }
    }

    private static (int Desired, string Reason) Clamp(PolicyDecision decision, PoolLimits limits)
    {
        if (decision.Desired > limits.Max)
        {
            return (limits.Max, $"{decision.Reason}; capped at max {limits.Max}");
        }

        if (decision.Desired < limits.Min)
        {
            return (limits.Min, $"{decision.Reason}; raised to min {limits.Min}");
        }

        return (Math.Max(0, decision.Desired), decision.Reason);
    }

    private static long NextOrdinal(PlanningCycle cycle, string pool, IReadOnlyList<Runner> runners)
    {
        var next = cycle.Observed.NextOrdinals.TryGetValue(pool, out var stored) ? stored : 0;
        foreach (var runner in runners)
        {
            next = Math.Max(next, runner.Ordinal + 1);
        }

        return next;
    }

    private static bool IsPast(Runner runner, TimeSpan timeout, DateTimeOffset now, out TimeSpan age)
    {
        age = now - runner.StateSince;
        return age >= timeout;
    }

    private static void Delete(PlanningCycle cycle, Runner runner, DeleteCause cause, string reason) =>
        cycle.Actions.Add(new DeleteRunner(runner.Id, runner.Pool, cause, reason));

    private static string Describe(RunnerState state) => state.ToString().ToLowerInvariant();
}
