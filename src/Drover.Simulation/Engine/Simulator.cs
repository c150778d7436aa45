using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Traces;

namespace Drover.Simulation.Engine;

/// <summary>
/// Runs a scenario through the production control loop — job events into a real <see cref="JobLedger"/>, then
/// <see cref="Planner.Plan"/>, then the plan's actions — against a simulated forge and provider on a virtual clock.
/// Plans run when a job event is delivered (several at one instant make one plan), when the last plan's
/// <see cref="Plan.NextWakeAt"/> comes, and on the periodic resync. Deterministic for a seed.
/// </summary>
/// <remarks>A simulator instance runs once; policies that keep state must be fresh instances for each run.</remarks>
public sealed partial class Simulator
{
    private readonly SimulationScenario _scenario;
    private readonly SimulationOptions _options;
    private readonly Planner _planner;
    private readonly FleetConfig _fleet;
    private readonly SimulatedBudgets _budgets;
    private readonly EventQueue _queue = new();
    private readonly Random _random;
    private readonly VirtualTime _time;
    private readonly JobLedger _ledger = new();
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

        var order = Enumerable.Range(0, scenario.Jobs.Count).OrderBy(i => scenario.Jobs[i].ArrivalSeconds).ThenBy(i => i).ToArray();
        _arrival = [.. order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].ArrivalSeconds))];
        var duration = order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].DurationSeconds)).ToArray();
        var labelSet = order.Select(i => scenario.Jobs[i].LabelSet).ToArray();

        var matcher = new PoolMatcher(_fleet);
        _poolOfLabelSet = [.. scenario.LabelSets.Select(labels => matcher.Match(scenario.Forge, labels, scenario.JobScope)?.Name)];
        _metrics = new MetricsRecorder(_arrival.Length, _options.SeriesBin.Ticks);
        _deliveries = new DeliveryChannel(_queue, _random, _options);
        _provider = new SimulatedProvider(_fleet, _queue, _random, _options, _metrics, _time);
        _budgets = new SimulatedBudgets(_fleet, _provider);
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
        _provider.Finish(end);
        var bootMinutes = _metrics.BootingSeconds / 60;
        var idleMinutes = _metrics.IdleSeconds / 60;
        var busyMinutes = _metrics.BusySeconds / 60;
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
            OnDemandCost = (double)_provider.OnDemandCost,
            SpotCost = (double)_provider.SpotCost,
            IdleCost = (double)_provider.IdleCost,
            Currency = _provider.Currency,
            CostByPool = _provider.CostByPool(),
            CostByTeam = _provider.CostByTeam(),
            BudgetsExhausted = _budgets.Exhausted.ToDictionary(b => b.Key, b => (b.Value - _options.Start).TotalSeconds, StringComparer.Ordinal),
            PeakRunnersByTeam = _provider.PeakByTeam,
            Creations = _provider.Creations,
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
        var pools = string.Join(", ", _fleet.Pools.Select(p => $"{p.Name}[{p.Policy} min {p.Min} idle {p.Idle} max {p.Max} idleTimeout {DurationParser.Format(p.IdleTimeout)}{(p.Template.Spot != SpotPreference.None ? " spot" : "")}]"));
        return $"{pools}; boot {_options.Boot}; failures {_options.CreationFailureRate}; spot interruptions/h {_options.SpotInterruptionsPerRunnerHour}; " +
            $"delivery delay ≤{_options.MaxDeliveryDelay.TotalSeconds}s loss {_options.DeliveryLossProbability} duplication {_options.DeliveryDuplicationProbability}; resync {_options.ResyncInterval.TotalSeconds}s";
    }
}
