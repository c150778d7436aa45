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
    private readonly long _lastJobEnd;
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
        _fleet = LetLongestJobRun(scenario.Fleet, scenario.Jobs.Count == 0 ? 0 : scenario.Jobs.Max(j => j.DurationSeconds));
        _planner = new Planner(new PolicyRegistry(policies));
        _random = new Random(_options.Seed);
        _time = new VirtualTime(_options.Start);

        var order = Enumerable.Range(0, scenario.Jobs.Count).OrderBy(i => scenario.Jobs[i].ArrivalSeconds).ThenBy(i => i).ToArray();
        _arrival = [.. order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].ArrivalSeconds))];
        var duration = order.Select(i => VirtualTime.FromSeconds(scenario.Jobs[i].DurationSeconds)).ToArray();
        var labelSet = order.Select(i => scenario.Jobs[i].LabelSet).ToArray();
        _lastJobEnd = scenario.Jobs.Count == 0 ? 0 : scenario.Jobs.Max(j => VirtualTime.FromSeconds(j.ArrivalSeconds) + VirtualTime.FromSeconds(j.DurationSeconds));

        var matcher = new PoolMatcher(_fleet);
        _poolOfLabelSet = [.. scenario.LabelSets.Select((labels, i) => matcher.Match(scenario.Forge, labels, scenario.ScopeOf(i))?.Name)];
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
        var pools = Pools();
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
            Pools = pools,
            Teams = Teams(pools),
            BudgetsExhausted = _budgets.Exhausted.ToDictionary(b => b.Key, b => (b.Value - _options.Start).TotalSeconds, StringComparer.Ordinal),
            PeakRunnersByTeam = _provider.PeakByTeam,
            Creations = _provider.Creations,
            SpotInterruptions = _metrics.SpotInterruptions,
            JobsRequeued = _metrics.JobsRequeued,
            PeakRunners = _metrics.PeakRunners,
            RunnersCreated = _metrics.RunnersCreated,
            CreationFailures = _metrics.CreationFailures,
            Plans = Plans,
            SloInfeasibleSeconds = VirtualTime.ToSeconds(_loop.SloInfeasibleTicks),
            SloFeasibleSeconds = VirtualTime.ToSeconds(_loop.SloFeasibleTicks),
            RunnersLeft = _provider.LiveCount,
            EndSeconds = VirtualTime.ToSeconds(end),
            Series = _metrics.Series,
        };
    }

    /// <summary>
    /// The fleet with every pool's running-job ceiling (<see cref="RunnerTimeouts.RunningJob"/>) raised, where it is
    /// shorter, to the trace's longest job plus an hour: a job the trace says ran that long is never cut off and
    /// re-queued (a busy runner whose job the forge reports running is reaped only past that ceiling).
    /// </summary>
    private static FleetConfig LetLongestJobRun(FleetConfig fleet, double longestSeconds)
    {
        var needed = TimeSpan.FromSeconds(longestSeconds) + TimeSpan.FromHours(1);
        var pools = fleet.Pools.Select(p =>
            p.Timeouts.BusyLimit(fleet.FindForge(p.Forge)?.Kind ?? ForgeKind.GitHub, jobReportedRunning: true) >= needed
                ? p
                : p with { Timeouts = p.Timeouts with { RunningJob = needed } }).ToList();
        return pools.SequenceEqual(fleet.Pools) ? fleet : fleet with { Pools = pools };
    }

    /// <summary>Each pool's figures: its jobs are those the matcher sent to it.</summary>
    private List<SliceResult> Pools()
    {
        var index = _fleet.Pools.Select((p, i) => (p.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        var waits = _fleet.Pools.Select(_ => new List<double>()).ToArray();
        var jobs = new int[_fleet.Pools.Count];
        for (var job = 0; job < _arrival.Length; job++)
        {
            if (_poolOfLabelSet[_forge.LabelSetOf(job)] is { } name)
            {
                var pool = index[name];
                jobs[pool]++;
                if (_metrics.WaitOf(job) is var wait && !double.IsNaN(wait))
                {
                    waits[pool].Add(wait);
                }
            }
        }

        var costs = _provider.CostByPool();
        return [.. _fleet.Pools.Select((p, i) => Slice(p.Name, jobs[i], waits[i], _provider.PoolSeconds(i) / 60, _provider.PoolIdleSeconds(i) / 60, costs[p.Name], _provider.PoolPeak(i)))];
    }

    /// <summary>Each team's figures: its pools' jobs, runner time and cost together.</summary>
    private List<SliceResult> Teams(List<SliceResult> pools)
    {
        var teamOf = _fleet.Pools.ToDictionary(p => p.Name, p => _fleet.TeamOf(p) ?? Core.Cost.CostReport.NoTeam, StringComparer.Ordinal);
        var waits = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var job = 0; job < _arrival.Length; job++)
        {
            if (_poolOfLabelSet[_forge.LabelSetOf(job)] is { } name && _metrics.WaitOf(job) is var wait && !double.IsNaN(wait))
            {
                var team = teamOf[name];
                (waits.TryGetValue(team, out var list) ? list : waits[team] = []).Add(wait);
            }
        }

        return [.. _fleet.Pools.Zip(pools)
            .GroupBy(x => _fleet.TeamOf(x.First) ?? Core.Cost.CostReport.NoTeam, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => Slice(g.Key, g.Sum(x => x.Second.Jobs), waits.GetValueOrDefault(g.Key) ?? [], g.Sum(x => x.Second.RunnerMinutes), g.Sum(x => x.Second.IdleMinutes), g.Sum(x => x.Second.Cost), g.Sum(x => x.Second.PeakRunners)))];
    }

    private static SliceResult Slice(string name, int jobs, List<double> waits, double runnerMinutes, double idleMinutes, double cost, int peak)
    {
        waits.Sort();
        return new SliceResult
        {
            Name = name,
            Jobs = jobs,
            JobsStarted = waits.Count,
            WaitP50Seconds = Percentiles.OfSorted(waits, 0.50),
            WaitP95Seconds = Percentiles.OfSorted(waits, 0.95),
            WaitMaxSeconds = waits.Count == 0 ? 0 : waits[^1],
            RunnerMinutes = runnerMinutes,
            IdleMinutes = idleMinutes,
            Cost = cost,
            PeakRunners = peak,
        };
    }

    private string Describe()
    {
        var pools = string.Join(", ", _fleet.Pools.Select(p => $"{p.Name}[{p.Policy} min {p.Min} idle {p.Idle} max {p.Max} idleTimeout {DurationParser.Format(p.IdleTimeout)}{(p.Template.Spot != SpotPreference.None ? " spot" : "")}]"));
        return $"{pools}; boot {_options.Boot}; failures {_options.CreationFailureRate}; spot interruptions/h {_options.SpotInterruptionsPerRunnerHour}; " +
            $"delivery delay ≤{_options.MaxDeliveryDelay.TotalSeconds}s loss {_options.DeliveryLossProbability} duplication {_options.DeliveryDuplicationProbability}; resync {_options.ResyncInterval.TotalSeconds}s";
    }
}
