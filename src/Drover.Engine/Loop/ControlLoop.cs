using System.Collections.Concurrent;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Logging;
using Drover.Engine.Metrics;
using Microsoft.Extensions.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// The running control plane: job events go into the ledger, each cycle observes providers and forges, plans with
/// <see cref="Planner"/> and executes the plan. Cycles run when demand arrives (coalesced: many signals, one cycle),
/// on a periodic resync and at the plan's <see cref="Plan.NextWakeAt"/>. One cycle at a time; the ledger is only
/// touched inside a cycle.
/// </summary>
public sealed class ControlLoop
{
    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EngineMetrics _metrics;
    private readonly ControlLoopOptions _options;
    private readonly ExecutionServices _services;
    private readonly Planner _planner = new(PolicyRegistry.CreateDefault());
    private readonly PlanExecutor _executor;
    private readonly ObservationSync _sync;
    private readonly WorldObserver _observer;
    private readonly DemandIntake _demand;
    private readonly LoopSignal _signal = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentQueue<(DeleteRunner Delete, string Actor)> _manualDeletes = new();
    private readonly ConcurrentDictionary<string, bool> _drained = new(StringComparer.Ordinal);
    private LoopSnapshot _snapshot;

    /// <param name="config">The fleet to run.</param>
    /// <param name="store">Durable state.</param>
    /// <param name="adapters">Providers and forges by name.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The engine's logger.</param>
    /// <param name="metrics">The engine's instruments; gauges are attached to this loop.</param>
    /// <param name="options">Loop settings; defaults when null.</param>
    /// <param name="random">Jitter source for retries; seeded with 0 when null.</param>
    public ControlLoop(FleetConfig config, IStateStore store, EngineAdapters adapters, TimeProvider time, ILogger logger, EngineMetrics metrics, ControlLoopOptions? options = null, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _options = options ?? ControlLoopOptions.Default;
        _services = new ExecutionServices
        {
            Store = store,
            Adapters = adapters ?? throw new ArgumentNullException(nameof(adapters)),
            Vault = new RunnerCredentialVault(),
            Pipeline = CallPipelines.Create(_options.Calls, time, random ?? new Random(0)),
            Time = time,
            Logger = logger,
            Metrics = metrics,
        };
        _executor = new PlanExecutor(_services);
        _sync = new ObservationSync(_services);
        _observer = new WorldObserver(_services);
        _demand = new DemandIntake(metrics);
        _snapshot = new LoopSnapshot { Config = config };
        metrics.Attach(() => _snapshot);
    }

    /// <summary>The latest cycle's view; replaced atomically after every cycle.</summary>
    public LoopSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The vault providers resolve credential references from.</summary>
    public RunnerCredentialVault Vault => _services.Vault;

    /// <summary>Raised after every completed cycle, on the loop's thread.</summary>
    public event Action<LoopSnapshot>? CycleCompleted;

    /// <summary>Queues a job event and wakes the loop; safe from any thread.</summary>
    public void Ingest(JobEvent jobEvent)
    {
        _demand.Enqueue(jobEvent);
        _signal.Signal();
    }

    /// <summary>Asks for a cycle as soon as possible.</summary>
    public void Wake() => _signal.Signal();

    /// <summary>Start-up: resolves create intents left in Requested and reloads active jobs into the ledger.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await new IntentReconciler(_services).ReconcileAsync(cancellationToken).ConfigureAwait(false);
        var state = await _store.LoadPlanningStateAsync(SpendSince(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _demand.Restore(state.ActiveJobs);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs cycles until cancelled: one at once, then on signals, the resync interval and the plan's wake-up.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _signal.Signal();
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = _time.GetUtcNow();
            var wait = _options.ResyncInterval;
            if (Snapshot.Plan?.NextWakeAt is { } wake && wake - now < wait)
            {
                wait = wake - now;
            }

            try
            {
                await _signal.WaitAsync(wait, _time, cancellationToken).ConfigureAwait(false);
                await RunCycleAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                EngineLog.CycleFailed(_logger, e);
            }
        }
    }

    /// <summary>Runs one cycle: demand in, observe, plan, execute, snapshot.</summary>
    public async Task<Plan> RunCycleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = _time.GetTimestamp();
            var config = Snapshot.Config;
            var now = _time.GetUtcNow();
            await _demand.DrainAsync(_store, config, new PoolMatcher(config), now, _options.FinishedJobRetention, cancellationToken).ConfigureAwait(false);
            var (effective, observed) = await ObserveAsync(config, now, cancellationToken).ConfigureAwait(false);
            var plan = _planner.Plan(effective, observed, _demand.Ledger.Jobs, now, _demand.Arrivals);
            var breakers = await _executor.ExecuteAsync(plan.Actions, config, observed.Breakers, _options.Actor, cancellationToken).ConfigureAwait(false);
            while (_manualDeletes.TryDequeue(out var manual))
            {
                await _executor.ExecuteAsync([manual.Delete], config, breakers, manual.Actor, cancellationToken).ConfigureAwait(false);
            }

            var after = await _store.ListRunnersAsync(null, null, cancellationToken).ConfigureAwait(false);
            var snapshot = Snapshot with
            {
                At = now,
                Plan = plan,
                Runners = after.Where(r => r.State != Core.Runners.RunnerState.Gone).ToList(),
                Breakers = breakers,
                DrainedPools = _drained.Keys.ToHashSet(StringComparer.Ordinal),
                Cycles = Snapshot.Cycles + 1,
            };
            Volatile.Write(ref _snapshot, snapshot);
            _metrics.CycleCompleted(_time.GetElapsedTime(started));
            EngineLog.CycleDone(_logger, now, plan.Actions.Count, plan.NextWakeAt?.ToString("O") ?? "none");
            CycleCompleted?.Invoke(snapshot);
            return plan;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>What a cycle would plan now, without executing anything or changing the ledger's pending events.</summary>
    public async Task<Plan> PreviewAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = _time.GetUtcNow();
            var state = await _store.LoadPlanningStateAsync(SpendSince(now), cancellationToken).ConfigureAwait(false);
            var config = Snapshot.Config;
            var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
            var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
            var observed = state.Observed with { Instances = [.. instances.Values.SelectMany(i => i)], ForgeRunners = [.. forgeRunners.Values.SelectMany(f => f)] };
            return _planner.Plan(Effective(config), observed, _demand.Ledger.Jobs, now, _demand.Arrivals);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Drains a pool: it is planned as removed (idle runners deleted, busy ones finish) until restart. False for an unknown pool.</summary>
    public bool Drain(string pool)
    {
        if (Snapshot.Config.FindPool(pool) is null)
        {
            return false;
        }

        _drained[pool] = true;
        _signal.Signal();
        return true;
    }

    /// <summary>Queues the deletion of one runner for the next cycle.</summary>
    public void RequestDelete(string runnerId, string pool, string actor)
    {
        _manualDeletes.Enqueue((new DeleteRunner(runnerId, pool, DeleteCause.Stuck, $"deleted on request of {actor}"), actor));
        _signal.Signal();
    }

    /// <summary>Switches to a new configuration from the next cycle on.</summary>
    public void Reload(FleetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var current = Snapshot;
        Volatile.Write(ref _snapshot, current with { Config = config });
        _signal.Signal();
    }

    private async Task<(FleetConfig Effective, ObservedState Observed)> ObserveAsync(FleetConfig config, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
        var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
        var before = await _store.ListRunnersAsync(null, null, cancellationToken).ConfigureAwait(false);
        var active = before.Where(r => r.State != Core.Runners.RunnerState.Gone).ToList();
        await _sync.SyncAsync(active, config, forgeRunners, _demand.Ledger.Running, now, cancellationToken).ConfigureAwait(false);
        var state = await _store.LoadPlanningStateAsync(SpendSince(now), cancellationToken).ConfigureAwait(false);
        var observed = state.Observed with
        {
            Instances = [.. instances.Values.SelectMany(i => i)],
            ForgeRunners = [.. forgeRunners.Values.SelectMany(f => f)],
        };
        return (Effective(config), observed);
    }

    private FleetConfig Effective(FleetConfig config) =>
        _drained.IsEmpty ? config : config with { Pools = [.. config.Pools.Where(p => !_drained.ContainsKey(p.Name))] };

    private static DateTimeOffset SpendSince(DateTimeOffset now) => new(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
}
