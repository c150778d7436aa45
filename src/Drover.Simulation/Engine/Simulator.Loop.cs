using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Runners;

namespace Drover.Simulation.Engine;

/// <summary>The simulator's event loop, kept apart from set-up and reporting.</summary>
public sealed partial class Simulator
{
    private sealed class SimulationLoop(Simulator sim)
    {
        private readonly List<int> _polled = [];
        private readonly List<Job> _known = [];
        private int _nextArrival;
        private long _wakeTicks = -1;
        private int _wakeGeneration;
        private long _lastPlanTicks;
        private bool? _lastSlo;
        private ObservedState? _observed;

        /// <summary>Virtual ticks during which the latest plan said a pool cannot meet its wait target.</summary>
        public long SloInfeasibleTicks { get; private set; }

        /// <summary>Virtual ticks during which the latest plan said every pool with a judged wait target meets it.</summary>
        public long SloFeasibleTicks { get; private set; }

        public long Run(IProgress<double>? progress)
        {
            var total = sim._arrival.Length;
            var lastArrival = total == 0 ? 0 : sim._arrival[^1];
            // A job that runs past the last arrival (a day-long job) is still let finish before the drain limit counts.
            var hardStop = Math.Max(lastArrival, sim._lastJobEnd) + sim._options.DrainLimit.Ticks;
            var reportEvery = Math.Max(1, total / 200);
            ScheduleNextArrival();
            sim._queue.Schedule(0, new SimEvent(SimEventKind.Resync));
            sim._queue.Schedule(sim._options.PruneInterval.Ticks, new SimEvent(SimEventKind.Prune));
            if (sim._options.DeliveryLossProbability > 0)
            {
                sim._queue.Schedule(sim._options.PollInterval.Ticks, new SimEvent(SimEventKind.Poll));
            }

            long now = 0;
            while (sim._queue.TryDequeue(out var e, out var at))
            {
                if (at > hardStop)
                {
                    break;
                }

                now = at;
                Handle(e, now);
                if (progress is not null && e.Kind == SimEventKind.Arrival && _nextArrival % reportEvery == 0)
                {
                    progress.Report((double)_nextArrival / total);
                }

                if (_nextArrival == total && sim._forge.Completed == total && sim._queue.PendingWork == 0 && IsSettled(now))
                {
                    break;
                }
            }

            progress?.Report(1.0);
            return now;
        }

        private void Handle(SimEvent e, long now)
        {
            switch (e.Kind)
            {
                case SimEventKind.Arrival:
                    sim._forge.Arrive(e.Job, now);
                    ScheduleNextArrival();
                    break;
                case SimEventKind.BootDone:
                    if (sim._provider.CompleteBoot(e.Runner!, now))
                    {
                        sim._forge.OfferRunner(e.Runner!, now);
                    }
                    else if (e.Runner!.Record.State == RunnerState.Failed)
                    {
                        // The provider reports the failure; the planner decides on the replacement.
                        RequestPlan(now);
                    }

                    break;
                case SimEventKind.JobDone:
                    sim._forge.JobDone(e.Runner!, e.Incarnation, now);
                    break;
                case SimEventKind.SpotInterruption:
                    if (e.Runner!.Record.IsActive)
                    {
                        sim._forge.RunnerRemoved(e.Runner);
                        sim._forge.Requeue(sim._provider.Interrupt(e.Runner, now), now);
                        RequestPlan(now);
                    }

                    break;
                case SimEventKind.Delivery:
                    Deliver(e.Delivery!, e.Job, sim._time.At(now), now);
                    break;
                case SimEventKind.Poll:
                    Poll(now);
                    sim._queue.Schedule(now + sim._options.PollInterval.Ticks, new SimEvent(SimEventKind.Poll));
                    break;
                case SimEventKind.Prune:
                    var at = sim._time.At(now);
                    sim._ledger.ExpireStale(at, sim._fleet.StaleJobAge);
                    sim._ledger.Prune(at - sim._options.PruneInterval);
                    sim._history.Prune(at);
                    sim._queue.Schedule(now + sim._options.PruneInterval.Ticks, new SimEvent(SimEventKind.Prune));
                    break;
                case SimEventKind.Resync:
                    if (!sim._pendingPlans.Contains(now))
                    {
                        PlanAndExecute(now);
                    }

                    sim._queue.Schedule(now + sim._options.ResyncInterval.Ticks, new SimEvent(SimEventKind.Resync));
                    break;
                case SimEventKind.Plan:
                    sim._pendingPlans.Remove(now);
                    PlanAndExecute(now);
                    break;
                case SimEventKind.Wake:
                    if (e.Incarnation == _wakeGeneration && !sim._pendingPlans.Contains(now))
                    {
                        PlanAndExecute(now);
                    }

                    break;
            }
        }

        private void ScheduleNextArrival()
        {
            if (_nextArrival < sim._arrival.Length)
            {
                sim._queue.Schedule(sim._arrival[_nextArrival], new SimEvent(SimEventKind.Arrival, _nextArrival));
                _nextArrival++;
            }
        }

        private void Deliver(JobEvent e, int job, DateTimeOffset at, long now)
        {
            var result = sim._ledger.Apply(e);
            if (result == LedgerApplyResult.Duplicate)
            {
                return;
            }

            if (job >= 0 && sim._poolOfLabelSet[sim._forge.LabelSetOf(job)] is { } pool
                && ((e.Kind == JobEventKind.Queued && result == LedgerApplyResult.Added) || (e.Kind is JobEventKind.Completed or JobEventKind.Cancelled && result != LedgerApplyResult.Stale)))
            {
                sim._history.Record(pool, at, e.Kind);
            }

            RequestPlan(now);
        }

        /// <summary>The polling reconciler: reports waiting jobs the ledger lacks and corrects jobs whose events were lost.</summary>
        private void Poll(long now)
        {
            var at = sim._time.At(now);
            _polled.Clear();
            sim._forge.CopyWaiting(_polled);
            _polled.Sort();
            foreach (var job in _polled)
            {
                if (sim._ledger.Get(sim._forge.KeyOf(job)) is null)
                {
                    Deliver(sim._forge.QueuedEvent(job, sim._arrival[job]), job, at, now);
                }
            }

            _known.Clear();
            _known.AddRange(sim._ledger.Waiting);
            _known.AddRange(sim._ledger.Running);
            _known.Sort(static (a, b) => string.CompareOrdinal(a.Key.Id, b.Key.Id));
            foreach (var known in _known)
            {
                if (!SimulatedForge.TryParse(known.Key, out var job, out var attempt) || job >= sim._arrival.Length)
                {
                    continue;
                }

                var phase = attempt < sim._forge.AttemptOf(job) ? JobPhase.Done : sim._forge.PhaseOf(job);
                if (phase == JobPhase.Running && known.State == JobState.Queued)
                {
                    Deliver(new JobEvent { Key = known.Key, Kind = JobEventKind.Started, At = sim._time.At(sim._forge.StartedAt(job)) }, job, at, now);
                }
                else if (phase == JobPhase.Done)
                {
                    Deliver(new JobEvent { Key = known.Key, Kind = JobEventKind.Completed, At = at }, job, at, now);
                }
            }
        }

        private void RequestPlan(long at)
        {
            if (sim._pendingPlans.Add(at))
            {
                sim._queue.Schedule(at, new SimEvent(SimEventKind.Plan));
            }
        }

        private Plan PlanAndExecute(long now)
        {
            var at = sim._time.At(now);
            // The snapshot list and the ordinals are refilled in place, so one state object serves every plan.
            var runners = sim._provider.Snapshot();
            var observed = _observed ??= new ObservedState { Runners = runners, NextOrdinals = sim._ordinals };
            if (sim._budgets.Any)
            {
                // Budgets see what was spent up to now, as the live ledger has it in production.
                sim._provider.Finish(now);
                var (poolSpend, teamSpend) = sim._budgets.Spend(at);
                observed = observed with { PoolSpend = poolSpend, TeamSpend = teamSpend };
            }

            var plan = sim._planner.Plan(sim._fleet, observed, sim._ledger, at, sim._history);
            sim.Plans++;
            CountSlo(plan, now);
            foreach (var action in plan.Actions)
            {
                switch (action)
                {
                    case CreateRunner create:
                        sim._ordinals[create.Pool] = Math.Max(sim._ordinals.GetValueOrDefault(create.Pool), create.Ordinal + 1);
                        sim._provider.Create(create, now);
                        break;
                    case DeleteRunner delete:
                        var (runner, job) = sim._provider.Delete(delete.RunnerId, now);
                        if (runner is not null)
                        {
                            sim._forge.RunnerRemoved(runner);
                            sim._forge.Requeue(job, now);
                        }

                        break;
                }
            }

            // One timer, as production's loop has: each plan resets it to its NextWakeAt (level-triggered, so the
            // latest plan's answer is the only one that matters); a superseded timer event does nothing.
            var wakeTicks = plan.NextWakeAt is { } wake ? sim._time.TicksOf(wake) : -1;
            if (wakeTicks != _wakeTicks)
            {
                _wakeTicks = wakeTicks;
                _wakeGeneration++;
                if (wakeTicks > now)
                {
                    sim._queue.Schedule(wakeTicks, new SimEvent(SimEventKind.Wake, Incarnation: _wakeGeneration));
                }
            }

            return plan;
        }

        /// <summary>Adds the time since the last plan to what that plan claimed about the pools' wait targets.</summary>
        private void CountSlo(Plan plan, long now)
        {
            if (_lastSlo is { } last)
            {
                if (last)
                {
                    SloFeasibleTicks += now - _lastPlanTicks;
                }
                else
                {
                    SloInfeasibleTicks += now - _lastPlanTicks;
                }
            }

            bool? slo = null;
            foreach (var pool in plan.Pools)
            {
                if (pool.SloFeasible is { } feasible)
                {
                    slo = (slo ?? true) && feasible;
                }
            }

            _lastSlo = slo;
            _lastPlanTicks = now;
        }

        /// <summary>Everything has run: settled when one more plan would do nothing and wants no wake-up.</summary>
        private bool IsSettled(long now)
        {
            var plan = PlanAndExecute(now);
            return plan.IsEmpty && plan.NextWakeAt is null;
        }
    }
}
