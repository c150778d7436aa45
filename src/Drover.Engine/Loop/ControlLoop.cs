using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Core.Resilience;
using Drover.Core.Runners;
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
    private readonly Planner _planner;
    private readonly PlanExecutor _executor;
    private readonly ObservationSync _sync;
    private readonly ProviderHealth _health;
    private readonly WorldObserver _observer;
    private readonly DeliveryIntake _deliveries;
    private readonly LoopSignal _signal = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>
    /// The live runners as this replica last wrote or read them. As leader it is the only writer of runners, and every
    /// write happens in a cycle (or at the start of a term), so a cycle reuses this view instead of reading every runner
    /// from the store: after the cycle it is patched with the runners the cycle acted on. It is dropped when a cycle
    /// fails or a term starts, and read again from the store at least every <see cref="ControlLoopOptions.ResyncInterval"/>.
    /// </summary>
    private RunnerView? _runnerView;

    /// <summary>Up to this many runners acted on, the snapshot re-reads just those instead of listing every runner.</summary>
    private const int SnapshotPointReads = 16;
    private DemandIntake _demand;
    private LoopSnapshot _snapshot;

    /// <param name="config">The fleet to run.</param>
    /// <param name="store">Durable state.</param>
    /// <param name="adapters">Providers and forges by name.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The engine's logger.</param>
    /// <param name="metrics">The engine's instruments; gauges are attached to this loop.</param>
    /// <param name="options">Loop settings; defaults when null.</param>
    /// <param name="random">Jitter source for retries; a new, randomly seeded one when null, so replicas jitter apart.</param>
    /// <param name="vault">Where minted credentials wait for their provider; a new one when null.</param>
    public ControlLoop(FleetConfig config, IStateStore store, EngineAdapters adapters, TimeProvider time, ILogger logger, EngineMetrics metrics, ControlLoopOptions? options = null, Random? random = null, RunnerCredentialVault? vault = null)
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
            Vault = vault ?? new RunnerCredentialVault(),
            Calls = new CallPolicy(_options.Calls, time, random ?? new Random(RandomNumberGenerator.GetInt32(int.MaxValue))),
            BreakerOptions = _options.Breakers,
            Time = time,
            Logger = logger,
            Metrics = metrics,
        };
        _executor = new PlanExecutor(_services);
        _sync = new ObservationSync(_services);
        _health = new ProviderHealth(_services);
        _observer = new WorldObserver(_services, _options.ForgeListMaxAge, _options.ForgeListStaleLimit, _signal.Signal);
        _demand = new DemandIntake(metrics);
        _deliveries = new DeliveryIntake(_services);
        _planner = new Planner(PolicyRegistry.CreateDefault(), _options.Breakers);
        _snapshot = new LoopSnapshot { Config = config, BreakerOptions = _options.Breakers };
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

    /// <summary>The providers and forges the loop acts through.</summary>
    public EngineAdapters Adapters => _services.Adapters;

    /// <summary>
    /// Start of a term as the acting replica (start-up, or taking over as leader): resolves create intents left in
    /// Requested and reloads the active jobs into a fresh ledger, dropping whatever an earlier term held in memory.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await new IntentReconciler(_services).ReconcileAsync(cancellationToken).ConfigureAwait(false);
        var state = await _store.LoadPlanningStateAsync(SpendSince(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var demand = new DemandIntake(_metrics);
            demand.Restore(state.ActiveJobs);
            _demand = demand;
            _runnerView = null;
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
            var matcher = new PoolMatcher(config);
            var (deliveries, moreDeliveries) = await _deliveries.CollectAsync(_demand.Enqueue, cancellationToken).ConfigureAwait(false);
            await _demand.DrainAsync(
                _store, config, matcher, now, _options.FinishedJobRetention, cancellationToken,
                deliveries.Count == 0 ? null : (writer, ct) => DeliveryIntake.MarkProcessedAsync(writer, deliveries, now, ct)).ConfigureAwait(false);
            var requests = await _store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
            var drained = DrainedPools(config, requests);
            var (effective, observed) = await ObserveAsync(config, drained, now, cancellationToken).ConfigureAwait(false);
            var plan = _planner.Plan(effective, observed, _demand.Ledger.Jobs, now, _demand.Arrivals);
            var breakers = await _executor.ExecuteAsync(plan.Actions, config, observed.Breakers, _options.Actor, cancellationToken).ConfigureAwait(false);
            foreach (var request in requests.Where(r => r.Kind == AdminRequestKind.DeleteRunner))
            {
                breakers = await DeleteOnRequestAsync(request, config, breakers, cancellationToken).ConfigureAwait(false);
            }

            var after = await RunnersAfterAsync(observed.Runners, plan.Actions, requests, cancellationToken).ConfigureAwait(false);
            _runnerView = _runnerView is { } view ? view with { Runners = after } : null;
            var snapshot = Snapshot with
            {
                At = now,
                Plan = plan,
                Runners = after,
                Breakers = breakers,
                DrainedPools = drained,
                QueuedByPool = plan.Pools.ToDictionary(p => p.Pool, p => p.Demand.Queued, StringComparer.Ordinal),
                WaitP95ByPool = QueueWaits.P95ByPool(_demand.Ledger.Jobs, matcher, now),
                Cycles = Snapshot.Cycles + 1,
                BreakerOptions = _options.Breakers,
            };
            if (moreDeliveries)
            {
                _signal.Signal();
            }

            Volatile.Write(ref _snapshot, snapshot);
            _metrics.CycleCompleted(_time.GetElapsedTime(started));
            EngineLog.CycleDone(_logger, now, plan.Actions.Count, plan.NextWakeAt?.ToString("O") ?? "none");
            CycleCompleted?.Invoke(snapshot);
            return plan;
        }
        catch
        {
            // What the cycle wrote before it failed is not in the view: the next cycle reads the runners from the store.
            _runnerView = null;
            throw;
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
            var stored = await _store.LoadObservedStateAsync(SpendSince(now), withRunners: true, cancellationToken).ConfigureAwait(false);
            var config = Snapshot.Config;
            var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
            var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
            var observed = stored with { Instances = [.. instances.Values.SelectMany(i => i)], ForgeRunners = [.. forgeRunners.Lists.Values.SelectMany(f => f)] };
            var requests = await _store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
            return _planner.Plan(Effective(config, DrainedPools(config, requests)), observed, _demand.Ledger.Jobs, now, _demand.Arrivals);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Stores an operator request together with its audit event, in one transaction, and wakes the loop. Whichever
    /// replica leads carries it out; the request survives restarts and leader changes.
    /// </summary>
    public async Task SubmitAsync(AdminRequest request, NewEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(audit);
        await _store.InTransactionAsync(
            async (writer, ct) =>
            {
                await writer.PutAdminRequestAsync(request, ct).ConfigureAwait(false);
                await writer.AppendEventAsync(audit, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        _signal.Signal();
    }

    /// <summary>Withdraws an operator request (e.g. resumes a drained pool) with its audit event; false when there was none.</summary>
    public async Task<bool> WithdrawAsync(AdminRequestKind kind, string target, NewEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var removed = await _store.InTransactionAsync(
            async (writer, ct) =>
            {
                if (!await writer.RemoveAdminRequestAsync(kind, target, ct).ConfigureAwait(false))
                {
                    return false;
                }

                await writer.AppendEventAsync(audit, ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
        _signal.Signal();
        return removed;
    }

    /// <summary>
    /// A follower's view: runners, breakers, drains and queued jobs per pool from the store, without planning or
    /// calling any provider or forge. The leader's cycles replace it as soon as this replica leads.
    /// </summary>
    public async Task RefreshViewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var config = Snapshot.Config;
        var state = await _store.LoadPlanningStateAsync(SpendSince(now), cancellationToken).ConfigureAwait(false);
        var requests = await _store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
        var matcher = new PoolMatcher(config);
        var queued = state.ActiveJobs
            .Where(j => j.State == JobState.Queued)
            .Select(j => matcher.Match(j.Key.Forge, j.Labels, j.Scope)?.Name)
            .OfType<string>()
            .GroupBy(p => p, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var current = Snapshot;
        Volatile.Write(ref _snapshot, current with
        {
            At = now,
            Plan = null,
            Runners = state.Observed.Runners,
            Breakers = state.Observed.Breakers,
            DrainedPools = DrainedPools(config, requests),
            QueuedByPool = queued,
            WaitP95ByPool = QueueWaits.P95ByPool(state.ActiveJobs, matcher, now),
        });
    }

    /// <summary>Switches to a new configuration from the next cycle on.</summary>
    public void Reload(FleetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var current = Snapshot;
        Volatile.Write(ref _snapshot, current with { Config = config });
        _signal.Signal();
    }

    private async Task<IReadOnlyDictionary<string, CircuitBreakerState>> DeleteOnRequestAsync(
        AdminRequest request, FleetConfig config, IReadOnlyDictionary<string, CircuitBreakerState> breakers, CancellationToken cancellationToken)
    {
        if (await _store.GetRunnerAsync(request.Target, cancellationToken).ConfigureAwait(false) is { State: not RunnerState.Gone } runner)
        {
            var delete = new DeleteRunner(runner.Id, runner.Pool, DeleteCause.Stuck, $"deleted on request of {request.Actor}: {request.Reason}");
            breakers = await _executor.ExecuteAsync([delete], config, breakers, request.Actor, cancellationToken).ConfigureAwait(false);
        }

        await _store.InTransactionAsync((writer, ct) => writer.RemoveAdminRequestAsync(request.Kind, request.Target, ct), cancellationToken).ConfigureAwait(false);
        return breakers;
    }

    private static HashSet<string> DrainedPools(FleetConfig config, IReadOnlyList<AdminRequest> requests) =>
        requests.Where(r => r.Kind == AdminRequestKind.Drain && config.FindPool(r.Target) is not null).Select(r => r.Target).ToHashSet(StringComparer.Ordinal);

    private async Task<(FleetConfig Effective, ObservedState Observed)> ObserveAsync(FleetConfig config, IReadOnlySet<string> drained, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
        var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
        // The runners come from the leader's own view when it is recent (see _runnerView), else from the store.
        var view = _runnerView;
        var reload = view is null || now - view.LoadedAt >= _options.ResyncInterval || now < view.LoadedAt;
        var stored = await _store.LoadObservedStateAsync(SpendSince(now), withRunners: reload, cancellationToken).ConfigureAwait(false);
        stored = reload ? stored : stored with { Runners = view!.Runners };
        _runnerView = reload ? new RunnerView(stored.Runners, now) : view;
        var synced = await _sync.SyncAsync(stored.Runners, config, forgeRunners.Lists, forgeRunners.At, _demand.Ledger.Jobs, instances, now, cancellationToken).ConfigureAwait(false);
        if (synced.Rejected)
        {
            // Part of a refused path may have been written: read the runners as the store has them.
            stored = stored with { Runners = await _store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false) };
            _runnerView = new RunnerView(stored.Runners, now);
        }
        else if (synced.Changed.Count > 0)
        {
            stored = stored with { Runners = Patch(stored.Runners, synced.Changed.Select(c => (c.After.Id, (Runner?)c.After))) };
            _runnerView = _runnerView! with { Runners = stored.Runners };
        }

        if (synced.Changed.Count > 0)
        {
            stored = stored with { Breakers = await RecordBootOutcomesAsync(synced.Changed, stored.Breakers, cancellationToken).ConfigureAwait(false) };
        }

        var observed = stored with
        {
            Instances = [.. instances.Values.SelectMany(i => i)],
            ForgeRunners = [.. forgeRunners.Lists.Values.SelectMany(f => f)],
        };
        return (Effective(config, drained), observed);
    }

    /// <summary>
    /// The live runners after the cycle, for the snapshot: the observed ones with every runner the cycle acted on read
    /// again (a handful of point reads), or the whole list when it acted on many.
    /// </summary>
    private async Task<IReadOnlyList<Runner>> RunnersAfterAsync(IReadOnlyList<Runner> observed, IReadOnlyList<PlanAction> actions, IReadOnlyList<AdminRequest> requests, CancellationToken cancellationToken)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            if (action is CreateRunner create)
            {
                touched.Add(create.IdempotencyKey);
            }
            else if (action is DeleteRunner delete)
            {
                touched.Add(delete.RunnerId);
            }
        }

        foreach (var request in requests.Where(r => r.Kind == AdminRequestKind.DeleteRunner))
        {
            touched.Add(request.Target);
        }

        if (touched.Count == 0)
        {
            return observed;
        }

        if (touched.Count > SnapshotPointReads)
        {
            return await _store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false);
        }

        var reread = new List<(string, Runner?)>(touched.Count);
        foreach (var id in touched)
        {
            reread.Add((id, await _store.GetRunnerAsync(id, cancellationToken).ConfigureAwait(false)));
        }

        return Patch(observed, reread);
    }

    /// <summary>
    /// <paramref name="runners"/> (live, by id) with each update applied: a runner replaced by its new record, or left out
    /// when it is gone (or no longer stored).
    /// </summary>
    private static IReadOnlyList<Runner> Patch(IReadOnlyList<Runner> runners, IEnumerable<(string Id, Runner? Now)> updates)
    {
        var byId = new SortedDictionary<string, Runner>(StringComparer.Ordinal);
        foreach (var runner in runners)
        {
            byId[runner.Id] = runner;
        }

        foreach (var (id, now) in updates)
        {
            if (now is { State: not RunnerState.Gone })
            {
                byId[id] = now;
            }
            else
            {
                byId.Remove(id);
            }
        }

        return [.. byId.Values];
    }

    /// <summary>Folds the boot outcomes the observations just wrote (registered or failed) into the providers' breakers.</summary>
    private async Task<IReadOnlyDictionary<string, CircuitBreakerState>> RecordBootOutcomesAsync(
        IReadOnlyList<(Runner Before, Runner After)> changed, IReadOnlyDictionary<string, CircuitBreakerState> breakers, CancellationToken cancellationToken)
    {
        var outcomes = new List<(string, bool)>();
        foreach (var (before, after) in changed)
        {
            if (ProviderHealth.BootOutcome(before, after) is { } registered)
            {
                outcomes.Add((after.Provider, registered));
            }
        }

        return outcomes.Count == 0 ? breakers : await _health.RecordAsync(outcomes, breakers, cancellationToken).ConfigureAwait(false);
    }

    private static FleetConfig Effective(FleetConfig config, IReadOnlySet<string> drained) =>
        drained.Count == 0 ? config : config with { Pools = [.. config.Pools.Where(p => !drained.Contains(p.Name))] };

    private static DateTimeOffset SpendSince(DateTimeOffset now) => new(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
}
