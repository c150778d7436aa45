using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>The per-pool half of the planner: reap, decide, clamp, then create or scale down.</summary>
internal static class PoolPlanning
{
    public static PoolPlan PlanPool(PlanningCycle cycle, PoolConfig pool, IScalingPolicy policy, IReadOnlyList<Runner> runners, IReadOnlyCollection<Job> queued)
    {
        var now = cycle.Now;
        var notes = new List<string>();
        var actions = cycle.Actions;
        var before = actions.Count;
        int booting = 0, busy = 0, draining = 0, failed = 0, heldFailed = 0, awaitingJob = 0, reclaimed = 0;
        var idle = new List<Runner>();
        List<Runner>? dueFailed = null;
        DateTimeOffset? nextRetry = null;
        DateTimeOffset? wake = null;

        foreach (var runner in runners)
        {
            switch (runner.State)
            {
                case RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering:
                    var bootTimeout = RunnerLifecycle.TimeoutFor(runner.State, pool).GetValueOrDefault();
                    if (IsPast(runner, bootTimeout, now, out var age))
                    {
                        Delete(cycle, runner, DeleteCause.BootTimeout, $"{Describe(runner.State)} for {DurationParser.Format(age)}, past its {DurationParser.Format(bootTimeout)} timeout");
                    }
                    else
                    {
                        booting++;
                        wake = Earliest(wake, runner.StateSince, bootTimeout, now);
                    }

                    break;
                case RunnerState.Idle:
                    if (pool.MaxLifetime is { } lifetime && now - runner.CreatedAt >= lifetime)
                    {
                        Delete(cycle, runner, DeleteCause.MaxLifetime, $"idle and {DurationParser.Format(now - runner.CreatedAt)} old, past maxLifetime {DurationParser.Format(lifetime)}");
                    }
                    else if (cycle.Shares.IsReclaimed(runner.Id, out var reclaimedFor))
                    {
                        Delete(cycle, runner, DeleteCause.Reclaimed, reclaimedFor);
                        reclaimed++;
                    }
                    else
                    {
                        idle.Add(runner);
                        if (pool.MaxLifetime is { } maxLifetime)
                        {
                            wake = Earliest(wake, runner.CreatedAt, maxLifetime, now);
                        }
                    }

                    break;
                case RunnerState.Busy:
                    if (runner.Job is { } key && cycle.FinishedJobsOfBusyRunners.TryGetValue(key, out var job)
                        && job.FinishedAt is { } finishedAt && now - finishedAt >= pool.Timeouts.FinishedJobGrace)
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"still busy {DurationParser.Format(now - finishedAt)} after its job {key} finished");
                    }
                    else if (cycle.BusyLimit(pool, runner) is var busyLimit && IsPast(runner, busyLimit, now, out var busyFor))
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, busyLimit == pool.Timeouts.Busy
                            ? $"busy for {DurationParser.Format(busyFor)}, past the {DurationParser.Format(busyLimit)} busy timeout, and the forge does not report its job running"
                            : $"busy for {DurationParser.Format(busyFor)}, past the {DurationParser.Format(busyLimit)} running-job ceiling");
                    }
                    else
                    {
                        busy++;
                        wake = Earliest(wake, runner.StateSince, busyLimit, now);
                        if (runner.Job is { } busyKey && cycle.FinishedJobsOfBusyRunners.TryGetValue(busyKey, out var finishedJob) && finishedJob.FinishedAt is { } doneAt)
                        {
                            wake = Earliest(wake, doneAt, pool.Timeouts.FinishedJobGrace, now);
                        }
                    }

                    break;
                case RunnerState.Draining:
                    draining++;
                    if (IsPast(runner, pool.Timeouts.Draining, now, out var drainingFor))
                    {
                        Delete(cycle, runner, DeleteCause.Stuck, $"deletion unconfirmed for {DurationParser.Format(drainingFor)}; deleting again");
                    }
                    else
                    {
                        wake = Earliest(wake, runner.StateSince, pool.Timeouts.Draining, now);
                    }

                    break;
                case RunnerState.Failed:
                    failed++;
                    var retryAt = RetryBackoff.RetryAt(runner);
                    if (queued.Count > 0 && ObservationRules.AwaitsLostJob(runner, pool, now))
                    {
                        // Its instance is gone already; the record and what is left of it wait for news of the job it may
                        // have run — one the ledger still holds queued, its start unseen. It holds no slot: a replacement
                        // is made as for any runner lost. With no job queued there is none it can have taken unseen.
                        awaitingJob++;
                        wake = Earliest(wake, runner.LostAt.GetValueOrDefault(), ObservationRules.LostJobIdentificationWindow, now);
                    }
                    else if (now >= retryAt)
                    {
                        (dueFailed ??= []).Add(runner);
                        Delete(cycle, runner, DeleteCause.Failed, $"failed ({runner.FailureReason ?? "no reason given"}), attempt {runner.Attempt}; cleaning up");
                    }
                    else
                    {
                        heldFailed++;
                        nextRetry = nextRetry is null || retryAt < nextRetry ? retryAt : nextRetry;
                        wake = Earliest(wake, retryAt, now);
                    }

                    break;
            }
        }

        if (awaitingJob > 0)
        {
            notes.Add($"{awaitingJob} runner(s) lost at their provider kept up to {DurationParser.Format(ObservationRules.LostJobIdentificationWindow)} until the forge tells which job they ran");
        }

        if (reclaimed > 0)
        {
            notes.Add($"{reclaimed} idle runner(s) reclaimed: lent capacity taken back for a team below its fair share");
        }

        if (heldFailed > 0)
        {
            notes.Add($"{heldFailed} failed runner(s) in retry backoff; next replacement at {nextRetry.GetValueOrDefault().UtcDateTime:HH:mm:ss}Z");
        }

        var limits = ScheduleOverlay.Apply(pool, now);
        var demand = new PoolDemand(queued.Count, busy, queued);
        var counts = new PoolRunnerCounts(booting, idle.Count, busy, draining, failed);
        var decision = policy.Decide(new PolicyContext { Pool = pool, Limits = limits, Demand = demand, Runners = counts, Now = now, History = cycle.History });
        if (decision.RecheckAt is { } recheckAt)
        {
            wake = Earliest(wake, recheckAt, now);
        }

        if (pool.Schedules.Count > 0)
        {
            // A schedule period can start or end at the next minute boundary.
            wake = Earliest(wake, new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(1), now);
        }

        var (desired, reason) = Clamp(decision, limits);
        var cutBy = desired < decision.Desired ? $"max {limits.Max}" : null;
        foreach (var budget in cycle.BudgetsOf(pool))
        {
            if (!budget.Exhausted)
            {
                continue;
            }

            notes.Add(budget.Describe());
            var cap = budget.Budget.Action switch
            {
                BudgetAction.HardCap => busy,
                BudgetAction.StopWarm => busy + queued.Count,
                _ => int.MaxValue,
            };
            if (desired > cap)
            {
                desired = cap;
                cutBy = $"budget {budget.Name} reached";
                reason += budget.Budget.Action == BudgetAction.HardCap
                    ? $"; budget {budget.Name} reached, capped at {busy} busy"
                    : $"; budget {budget.Name} reached, no warm runners: capped at {busy} busy + {queued.Count} queued";
            }
        }

        var sloFeasible = decision.SloFeasible;
        var shortfall = decision.SloShortfall;
        if (sloFeasible == true && desired < decision.Desired)
        {
            // The policy's answer meets the target; what it was cut to does not.
            sloFeasible = false;
            shortfall = $"the policy wants {decision.Desired} runners, cut to {desired} by {cutBy}";
        }

        if (sloFeasible == false)
        {
            notes.Add($"cannot meet the wait target: {shortfall}");
        }

        var active = booting + idle.Count + busy;
        var creates = 0;
        if (desired > active + heldFailed)
        {
            var wanted = desired - active - heldFailed;
            // A replacement takes over the slot (and retry count) of a failed runner, most-retried first.
            var replaced = dueFailed is null ? [] : dueFailed.OrderByDescending(r => r.Attempt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            var allowed = cycle.TeamQuotaLeft(pool, wanted, out var overQuota);
            var providers = ProviderPlacement.Place(cycle, pool, runners, replaced, allowed, out var withheld);
            cycle.UseTeamQuota(pool, providers.Count);
            if (overQuota is not null)
            {
                withheld = withheld is null ? overQuota : $"{overQuota}; {withheld}";
            }

            creates = providers.Count;
            if (withheld is not null)
            {
                notes.Add($"{wanted - creates} creation(s) withheld: {withheld}");
            }

            var ordinal = NextOrdinal(cycle, pool.Name, runners);
            for (var i = 0; i < creates; i++, ordinal++)
            {
                var attempt = i < replaced.Count ? replaced[i].Attempt : 0;
                var why = attempt > 0
                    ? $"replaces a failed runner (retry {attempt}); desired {desired}, active {active}"
                    : $"scale up: desired {desired}, active {active}";
                if (pool.Placement.Count > 1)
                {
                    why += i < replaced.Count && replaced[i].Provider != providers[i]
                        ? $"; placed on {providers[i]} instead of {replaced[i].Provider}, where it failed"
                        : $"; placed on {providers[i]}";
                }

                actions.Add(new CreateRunner(pool.Name, providers[i], RunnerKeys.For(cycle.Config.ControllerId, pool.Name, ordinal), ordinal, attempt, why));
            }
        }
        else if (desired < active)
        {
            var surplus = active - desired;
            var removable = RemovableIdle(idle, pool.IdleTimeout, now, surplus);
            foreach (var runner in removable)
            {
                Delete(cycle, runner, DeleteCause.ScaleDown, $"scale down: desired {desired}, active {active}; idle for {DurationParser.Format(now - runner.StateSince)}");
            }

            if (removable.Count < surplus)
            {
                var young = 0;
                foreach (var runner in idle)
                {
                    if (now - runner.StateSince < pool.IdleTimeout)
                    {
                        young++;
                        // Still a surplus: this one goes once it has been idle for idleTimeout.
                        wake = Earliest(wake, runner.StateSince, pool.IdleTimeout, now);
                    }
                }

                notes.Add($"{surplus - removable.Count} surplus runner(s) kept: {young} idle for less than idleTimeout {DurationParser.Format(pool.IdleTimeout)}, the rest busy or booting");
            }
        }

        return new PoolPlan
        {
            Pool = pool.Name,
            Policy = policy.Name,
            Limits = limits,
            // The counts only: the jobs are a view of the ledger, valid while the policy decides.
            Demand = demand with { QueuedJobs = [] },
            Runners = counts,
            Desired = desired,
            Reason = reason,
            SloFeasible = sloFeasible,
            Creates = creates,
            Deletes = actions.Count - before - creates,
            Notes = notes,
            NextWakeAt = wake,
        };
    }

    /// <summary>
    /// True when <see cref="PlanPool"/> reaps this active runner in this cycle, whatever the demand: booting past its
    /// state's timeout, idle past <c>maxLifetime</c>, or busy and stuck (the same tests as the switch above). Its slot in
    /// a provider's capacity is then free for this plan's creates.
    /// </summary>
    public static bool WillReap(PlanningCycle cycle, PoolConfig pool, Runner runner) => runner.State switch
    {
        RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering =>
            IsPast(runner, RunnerLifecycle.TimeoutFor(runner.State, pool).GetValueOrDefault(), cycle.Now, out _),
        RunnerState.Idle => pool.MaxLifetime is { } lifetime && cycle.Now - runner.CreatedAt >= lifetime,
        RunnerState.Busy =>
            (runner.Job is { } key && cycle.FinishedJobsOfBusyRunners.TryGetValue(key, out var job) && job.FinishedAt is { } finishedAt && cycle.Now - finishedAt >= pool.Timeouts.FinishedJobGrace)
            || IsPast(runner, cycle.BusyLimit(pool, runner), cycle.Now, out _),
        _ => false,
    };

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

    /// <summary>Idle runners idle for at least <paramref name="idleTimeout"/>, oldest created first (then by id), at most <paramref name="count"/>.</summary>
    private static List<Runner> RemovableIdle(List<Runner> idle, TimeSpan idleTimeout, DateTimeOffset now, int count)
    {
        var removable = new List<Runner>(Math.Min(count, idle.Count));
        foreach (var runner in idle)
        {
            if (now - runner.StateSince >= idleTimeout)
            {
                removable.Add(runner);
            }
        }

        // Ids are unique, so the order is total and the unstable sort deterministic.
        removable.Sort(static (a, b) =>
        {
            var byAge = a.CreatedAt.CompareTo(b.CreatedAt);
            return byAge != 0 ? byAge : string.CompareOrdinal(a.Id, b.Id);
        });
        if (removable.Count > count)
        {
            removable.RemoveRange(count, removable.Count - count);
        }

        return removable;
    }

    /// <summary>The earlier of <paramref name="current"/> and <paramref name="since"/> + <paramref name="timeout"/>, counting only instants after <paramref name="now"/>.</summary>
    internal static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset since, TimeSpan timeout, DateTimeOffset now)
    {
        // Beyond the representable range the deadline never comes.
        if (timeout.Ticks >= DateTime.MaxValue.Ticks - Math.Max(since.Ticks, since.UtcTicks))
        {
            return current;
        }

        return Earliest(current, since + timeout, now);
    }

    /// <summary>The earlier of <paramref name="current"/> and <paramref name="candidate"/>, counting only instants after <paramref name="now"/>.</summary>
    internal static DateTimeOffset? Earliest(DateTimeOffset? current, DateTimeOffset candidate, DateTimeOffset now) =>
        candidate > now && (current is null || candidate < current) ? candidate : current;

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
