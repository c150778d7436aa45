using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Core.Planning;
using Drover.Core.Runners;

namespace Drover.Simulation.Engine;

/// <summary>
/// A simulated provider: creates runners that boot for a drawn time and then register (or fail), bills them while
/// booting, idle or busy, interrupts spot runners at a rate, and deletes at once. Every state change goes through
/// <see cref="RunnerLifecycle.Transition"/>; an illegal one throws.
/// </summary>
internal sealed class SimulatedProvider
{
    private readonly Dictionary<string, SimRunner> _live = new(StringComparer.Ordinal);
    private readonly List<Runner> _snapshot = [];
    private readonly Dictionary<string, int> _poolIndex = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<PoolConfig> _pools;
    private readonly EventQueue _queue;
    private readonly Random _random;
    private readonly SimulationOptions _options;
    private readonly MetricsRecorder _metrics;
    private readonly VirtualTime _time;
    private readonly (RunnerPrice OnDemand, RunnerPrice Spot)[] _prices;
    private readonly FleetConfig _fleet;
    private readonly Dictionary<string, (int Active, int Peak)> _teams = new(StringComparer.Ordinal);
    private readonly List<(string Pool, double AtSeconds)> _creations = [];
    private readonly decimal[] _poolCost;
    private readonly double[] _poolSeconds;
    private readonly double[] _poolIdleSeconds;
    private readonly int[] _poolActive;
    private readonly int[] _poolPeak;
    private readonly BootTimeDistribution[] _boot;

    public SimulatedProvider(FleetConfig fleet, EventQueue queue, Random random, SimulationOptions options, MetricsRecorder metrics, VirtualTime time)
    {
        var pools = fleet.Pools;
        _fleet = fleet;
        _pools = pools;
        _prices = [.. pools.Select(p => (PriceBook.For(fleet, p, p.Provider, onSpot: false), PriceBook.For(fleet, p, p.Provider, onSpot: true)))];
        _poolCost = new decimal[pools.Count];
        _poolSeconds = new double[pools.Count];
        _poolIdleSeconds = new double[pools.Count];
        _poolActive = new int[pools.Count];
        _poolPeak = new int[pools.Count];
        _boot = [.. pools.Select(p => options.BootByPool.GetValueOrDefault(p.Name) ?? options.Boot)];
        _queue = queue;
        _random = random;
        _options = options;
        _metrics = metrics;
        _time = time;
        for (var i = 0; i < pools.Count; i++)
        {
            _poolIndex[pools[i].Name] = i;
        }
    }

    /// <summary>What on-demand runners cost so far (the pools' prices, their billing rounding included).</summary>
    public decimal OnDemandCost { get; private set; }

    /// <summary>What spot runners cost so far.</summary>
    public decimal SpotCost { get; private set; }

    /// <summary>What idle runners cost so far ("idle waste").</summary>
    public decimal IdleCost { get; private set; }

    /// <summary>The currency of the first pool's price (validation keeps a pool's providers in one currency).</summary>
    public string Currency => _prices.Length == 0 ? PriceConfig.DefaultCurrency : _prices[0].OnDemand.Currency;

    /// <summary>Cost so far per pool name.</summary>
    public IReadOnlyDictionary<string, double> CostByPool() =>
        _pools.Select((p, i) => (p.Name, Cost: (double)_poolCost[i])).ToDictionary(x => x.Name, x => x.Cost, StringComparer.Ordinal);

    /// <summary>Cost so far per team (<c>(none)</c> for pools with no team).</summary>
    public IReadOnlyDictionary<string, double> CostByTeam() =>
        _pools.Select((p, i) => (Team: _fleet.TeamOf(p) ?? CostReport.NoTeam, Cost: _poolCost[i]))
            .GroupBy(x => x.Team, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (double)g.Sum(x => x.Cost), StringComparer.Ordinal);

    /// <summary>Most active (booting, idle, busy) runners each team had at once.</summary>
    public IReadOnlyDictionary<string, int> PeakByTeam => _teams.ToDictionary(t => t.Key, t => t.Value.Peak, StringComparer.Ordinal);

    /// <summary>Every runner created: pool and virtual second.</summary>
    public IReadOnlyList<(string Pool, double AtSeconds)> Creations => _creations;

    /// <summary>Billed runner-seconds (booting, idle, busy) of the pool with index <paramref name="pool"/> so far (after <see cref="Finish"/>).</summary>
    public double PoolSeconds(int pool) => _poolSeconds[pool];

    /// <summary>Idle runner-seconds of the pool with index <paramref name="pool"/> so far (after <see cref="Finish"/>).</summary>
    public double PoolIdleSeconds(int pool) => _poolIdleSeconds[pool];

    /// <summary>Most active (booting, idle, busy) runners the pool with index <paramref name="pool"/> had at once.</summary>
    public int PoolPeak(int pool) => _poolPeak[pool];

    /// <summary>What each pool's runners cost so far (after <see cref="Finish"/> up to the instant it was given).</summary>
    public decimal PoolCost(string pool) => _poolIndex.TryGetValue(pool, out var i) ? _poolCost[i] : 0m;

    /// <summary>Charges every live runner's billed time up to <paramref name="now"/> (before a plan, and at the end of the run).</summary>
    public void Finish(long now)
    {
        foreach (var runner in _live.Values)
        {
            Bill(runner, SimRunner.BucketOf(runner.Record.State), now);
        }
    }

    /// <summary>Runners that exist (not gone), failed ones included.</summary>
    public int LiveCount => _live.Count;

    public PoolConfig PoolOf(SimRunner runner) => _pools[runner.Pool];

    /// <summary>The records the planner sees; the list is reused, so it is valid until the next call.</summary>
    public IReadOnlyList<Runner> Snapshot()
    {
        _snapshot.Clear();
        foreach (var runner in _live.Values)
        {
            _snapshot.Add(runner.Record);
        }

        return _snapshot;
    }

    /// <summary>Accepts a create: the runner is Requested, then Provisioning at once; its boot ends after a drawn time.</summary>
    public void Create(CreateRunner action, long now)
    {
        if (_live.ContainsKey(action.IdempotencyKey) || !_poolIndex.TryGetValue(action.Pool, out var pool))
        {
            return;
        }

        var at = _time.At(now);
        var record = action.ToRequestedRunner(at);
        var runner = new SimRunner(record, pool, _pools[pool].Template.Spot != SpotPreference.None);
        _live[record.Id] = runner;
        _metrics.RunnersCreated++;
        _metrics.RunnerMoved(now, RunnerBucket.None, RunnerBucket.Booting, runner.Spot);
        runner.BilledFrom = now;
        _creations.Add((action.Pool, VirtualTime.ToSeconds(now)));
        CountActive(runner, +1);
        Move(runner, RunnerState.Provisioning, now);
        runner.Record = runner.Record with { InstanceId = "i-" + record.Id };
        _queue.Schedule(now + VirtualTime.FromSeconds(_boot[pool].Sample(_random)), new SimEvent(SimEventKind.BootDone, Runner: runner));
        if (runner.Spot && _options.SpotInterruptionsPerRunnerHour > 0)
        {
            var hours = Distributions.Exponential(_random, _options.SpotInterruptionsPerRunnerHour);
            if (hours < TimeSpan.MaxValue.TotalHours / 2)
            {
                _queue.Schedule(now + TimeSpan.FromHours(hours).Ticks, new SimEvent(SimEventKind.SpotInterruption, Runner: runner));
            }
        }
    }

    /// <summary>Ends a boot: true when the runner registered (now Idle), false when it failed or was deleted meanwhile.</summary>
    public bool CompleteBoot(SimRunner runner, long now)
    {
        if (runner.Record.State != RunnerState.Provisioning)
        {
            return false;
        }

        if (_options.CreationFailureRate > 0 && _random.NextDouble() < _options.CreationFailureRate)
        {
            _metrics.CreationFailures++;
            Move(runner, RunnerState.Failed, now, "simulated creation failure");
            return false;
        }

        Move(runner, RunnerState.Registering, now);
        runner.Record = runner.Record with { ForgeRunnerId = "f-" + runner.Record.Id };
        Move(runner, RunnerState.Idle, now);
        return true;
    }

    /// <summary>A spot interruption: the runner fails; returns the trace job it was running, or -1.</summary>
    public int Interrupt(SimRunner runner, long now)
    {
        if (!runner.Record.IsActive)
        {
            return -1;
        }

        _metrics.SpotInterruptions++;
        var job = runner.Job;
        runner.Job = -1;
        Move(runner, RunnerState.Failed, now, "spot interruption");
        return job;
    }

    /// <summary>Deletes a runner at once (its instance and registration); returns it and the job it was running (or -1).</summary>
    public (SimRunner? Runner, int Job) Delete(string runnerId, long now)
    {
        if (!_live.TryGetValue(runnerId, out var runner))
        {
            return (null, -1);
        }

        var job = runner.Job;
        runner.Job = -1;
        if (runner.Record.State != RunnerState.Failed && runner.Record.State != RunnerState.Requested)
        {
            Move(runner, RunnerState.Draining, now, "deleted");
        }

        Move(runner, RunnerState.Gone, now);
        return (runner, job);
    }

    /// <summary>Moves <paramref name="runner"/> through the real lifecycle, billing the bucket it leaves; throws on an illegal transition.</summary>
    public void Move(SimRunner runner, RunnerState to, long now, string? reason = null)
    {
        var from = runner.Record.State;
        var wasActive = runner.Record.IsActive;
        runner.Record = RunnerLifecycle.Transition(runner.Record, to, _time.At(now), reason).RunnerOrThrow();
        if (SimRunner.BucketOf(from) != SimRunner.BucketOf(to))
        {
            Bill(runner, SimRunner.BucketOf(from), now);
        }

        _metrics.RunnerMoved(now, SimRunner.BucketOf(from), SimRunner.BucketOf(to), runner.Spot);
        if (wasActive != runner.Record.IsActive)
        {
            CountActive(runner, runner.Record.IsActive ? +1 : -1);
        }

        if (to == RunnerState.Gone)
        {
            _live.Remove(runner.Record.Id);
        }
    }

    private void CountActive(SimRunner runner, int delta)
    {
        _poolActive[runner.Pool] += delta;
        _poolPeak[runner.Pool] = Math.Max(_poolPeak[runner.Pool], _poolActive[runner.Pool]);
        if (_fleet.TeamOf(_pools[runner.Pool]) is not { } team)
        {
            return;
        }

        var (active, peak) = _teams.GetValueOrDefault(team);
        active += delta;
        _teams[team] = (active, Math.Max(peak, active));
    }

    /// <summary>Charges the runner's time in <paramref name="bucket"/> up to <paramref name="now"/> at its pool's price, as the live ledger does.</summary>
    private void Bill(SimRunner runner, RunnerBucket bucket, long now)
    {
        if (bucket == RunnerBucket.None || now <= runner.BilledFrom)
        {
            runner.BilledFrom = now;
            return;
        }

        var price = runner.Spot ? _prices[runner.Pool].Spot : _prices[runner.Pool].OnDemand;
        var elapsed = (double)(now - runner.BilledFrom) / TimeSpan.TicksPerSecond;
        _poolSeconds[runner.Pool] += elapsed;
        if (bucket == RunnerBucket.Idle)
        {
            _poolIdleSeconds[runner.Pool] += elapsed;
        }

        var seconds = (decimal)(now - runner.BilledFrom) / TimeSpan.TicksPerSecond;
        var amount = price.Charge(runner.BilledSeconds, runner.BilledSeconds + seconds);
        runner.BilledSeconds += seconds;
        runner.BilledFrom = now;
        _poolCost[runner.Pool] += amount;
        if (runner.Spot)
        {
            SpotCost += amount;
        }
        else
        {
            OnDemandCost += amount;
        }

        if (bucket == RunnerBucket.Idle)
        {
            IdleCost += amount;
        }
    }
}
