using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Policies;

namespace Drover.Simulation.Engine;

/// <summary>
/// Runs a scenario through the production control loop — job events into a real <see cref="JobLedger"/>, then
/// <see cref="Planner.Plan"/>, then the plan's actions — against a simulated forge and provider on a virtual clock.
/// Plans run when a job event is delivered (several at one instant make one plan), when the last plan's
/// <see cref="Plan.NextWakeAt"/> comes, and on the periodic resync. Deterministic for a seed.
/// </summary>
/// <remarks>A simulator instance runs once; policies that keep state must be fresh instances for each run.</remarks>
public sealed class Simulator
{
    private readonly SimulationScenario _scenario;
    private readonly SimulationOptions _options;
    private readonly Planner _planner;
    private readonly FleetConfig _fleet;
    private readonly EventQueue _queue = new();
    private readonly Random _random;
    private readonly VirtualTime _time;
    private readonly JobLedger _ledger = new();
    private readonly LedgerView _view;
    private readonly PoolFlowHistory _history = new();
    private readonly HashSet<long> _pendingPlans = [];
    private readonly Dictionary<string, long> _ordinals = new(StringComparer.Ordinal);
    private readonly string?[] _poolOfLabelSet;
    private readonly long[] _arrival;
    private readonly MetricsRecorder _metrics;
    private readonly DeliveryChannel _deliveries;
    private readonly SimulatedProvider _provider;
    private readonly SimulatedForge _forge;
    private readonly SimulationLoop _loop;
    private bool _ran;

    public Simulator(SimulationScenario scenario, IEnumerable<IScalingPolicy> policies, SimulationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(policies);
        _options = options ?? SimulationOptions.Default;
        var errors = _options.Validate().Concat(scenario.Validate()).ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulation: " + string.Join("; ", errors), nameof(scenario));
        }

        _scenario = scenario;
        _fleet = scenario.Fleet;
        _planner = new Planner(new PolicyRegistry(policies));
        _random = new Random(_options.Seed);
        _time = new VirtualTime(_options.Start);
        _view = new LedgerView(_ledger);

        var order = Enumerable.Range(0, scenario.Jobs.Count).OrderBy(i => scenario.Jobs[i].ArrivalSeconds).ThenBy(i => i).ToArray();
        _arrival = [.. order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].ArrivalSeconds))];
        var duration = order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].DurationSeconds)).ToArray();
        var labelSet = order.Select(i => scenario.Jobs[i].LabelSet).ToArray();

        var matcher = new PoolMatcher(_fleet);
        _poolOfLabelSet = [.. scenario.LabelSets.Select(labels => matcher.Match(scenario.Forge, labels, scenario.JobScope)?.Name)];
        _metrics = new MetricsRecorder(_arrival.Length, _options.SeriesBin.Ticks);
        _deliveries = new DeliveryChannel(_queue, _random, _options);
        _provider = new SimulatedProvider(_fleet.Pools, _queue, _random, _options, _metrics, _time);
        _forge = new SimulatedForge(scenario, _arrival, duration, labelSet, _provider, _deliveries, _queue, _metrics, _time);
        _loop = new SimulationLoop(this);
    }

    /// <summary>Planner invocations so far.</summary>
    public long Plans { get; private set; }

    /// <summary>Runs the scenario to its end; reports progress (0..1, by jobs arrived) to <paramref name="progress"/>.</summary>
    public SimulationResult Run(string? label = null, IProgress<double>? progress = null)
    {
        if (_ran)
        {
            throw new InvalidOperationException("A simulator runs once; create a new one (with fresh policy instances) for another run.");
        }

        _ran = true;
        var end = _loop.Run(progress);
        var waits = _metrics.Finish(end);
        var bootMinutes = _metrics.BootingSeconds / 60;
        var idleMinutes = _metrics.IdleSeconds / 60;
        var busyMinutes = _metrics.BusySeconds / 60;
        var spotMinutes = _metrics.SpotSeconds / 60;
        var totalMinutes = bootMinutes + idleMinutes + busyMinutes;
        return new SimulationResult
        {
            Policy = label ?? string.Join("+", _fleet.Pools.Select(p => p.Policy).Distinct()),
            Config = Describe(),
            Seed = _options.Seed,
            Jobs = _arrival.Length,
            JobsCompleted = _forge.Completed,
            WaitP50Seconds = Percentiles.OfSorted(waits, 0.50),
            WaitP95Seconds = Percentiles.OfSorted(waits, 0.95),
            WaitP99Seconds = Percentiles.OfSorted(waits, 0.99),
            WaitMaxSeconds = waits.Length == 0 ? 0 : waits[^1],
            WaitMeanSeconds = waits.Length == 0 ? 0 : waits.Average(),
            RunnerMinutes = totalMinutes,
            BootingMinutes = bootMinutes,
            IdleMinutes = idleMinutes,
            BusyMinutes = busyMinutes,
            OnDemandCost = (totalMinutes - spotMinutes) * _options.OnDemandPricePerMinute,
            SpotCost = spotMinutes * _options.SpotPricePerMinute,
            SpotInterruptions = _metrics.SpotInterruptions,
            JobsRequeued = _metrics.JobsRequeued,
            PeakRunners = _metrics.PeakRunners,
            RunnersCreated = _metrics.RunnersCreated,
            CreationFailures = _metrics.CreationFailures,
            Plans = Plans,
            RunnersLeft = _provider.LiveCount,
            EndSeconds = VirtualTime.ToSeconds(end),
            Series = _metrics.Series,
        };
    }

    private string Describe()
    {
        var pools = string.Join(", ", _fleet.Pools.Select(p => $"{p.Name}[{p.Policy} min {p.Min} idle {p.Idle} max {p.Max} idleTimeout {DurationFormat.Format(p.IdleTimeout)}{(p.Template.Spot != SpotPreference.None ? " spot" : "")}]"));
        return $"{pools}; boot {_options.Boot}; failures {_options.CreationFailureRate}; spot interruptions/h {_options.SpotInterruptionsPerRunnerHour}; " +
            $"delivery delay ≤{_options.MaxDeliveryDelay.TotalSeconds}s loss {_options.DeliveryLossProbability} duplication {_options.DeliveryDuplicationProbability}; resync {_options.ResyncInterval.TotalSeconds}s";
    }

    /// <summary>The event loop proper, kept apart from set-up and reporting.</summary>
    private sealed class SimulationLoop(Simulator sim)
    {
        private readonly List<int> _polled = [];
        private readonly List<Job> _known = [];
        private int _nextArrival;

        public long Run(IProgress<double>? progress)
        {
            var total = sim._arrival.Length;
            var lastArrival = total == 0 ? 0 : sim._arrival[^1];
            var hardStop = lastArrival + sim._options.DrainLimit.Ticks;
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
                    else if (e.Runner!.Record.State == Core.Runners.RunnerState.Failed)
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
            var observed = new ObservedState { Runners = sim._provider.Snapshot(), NextOrdinals = sim._ordinals };
            var plan = sim._planner.Plan(sim._fleet, observed, sim._view, at, sim._history);
            sim.Plans++;
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

            if (plan.NextWakeAt is { } wake)
            {
                RequestPlan(sim._time.TicksOf(wake));
            }

            return plan;
        }

        /// <summary>Everything has run: settled when one more plan would do nothing and wants no wake-up.</summary>
        private bool IsSettled(long now)
        {
            var plan = PlanAndExecute(now);
            return plan.IsEmpty && plan.NextWakeAt is null;
        }
    }
}
