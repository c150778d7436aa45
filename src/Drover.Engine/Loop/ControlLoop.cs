using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Cost;
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
/// The running control plane's scheduling: job events go into the ledger, and cycles (<see cref="ControlCycle"/>: observe,
/// plan, execute) run when demand arrives (coalesced: many signals, one cycle), on a periodic resync and at the plan's
/// <see cref="Plan.NextWakeAt"/>, one at a time. Operator requests (<see cref="OperatorRequests"/>), the runner cache
/// (<see cref="RunnerCache"/>) and a follower's view (<see cref="FollowerView"/>) live in their own types; the planner
/// and the jitter's randomness are injected.
/// </summary>
public sealed class ControlLoop
{
    private readonly IStateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly EngineMetrics _metrics;
    private readonly ControlLoopOptions _options;
    private readonly ExecutionServices _services;
    private readonly ControlCycle _cycle;
    private readonly LoopSignal _signal = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly BudgetTracker _followerBudgets;
    private DemandIntake _demand;
    private LoopSnapshot _snapshot;

    /// <summary>Create intents a previous process left that start-up could not resolve (their provider could not be listed).</summary>
    private IReadOnlyList<string> _keptIntents = [];

    /// <param name="config">The fleet to run.</param>
    /// <param name="store">Durable state.</param>
    /// <param name="adapters">Providers and forges by name.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The engine's logger.</param>
    /// <param name="metrics">The engine's instruments; gauges are attached to this loop.</param>
    /// <param name="options">Loop settings; defaults when null.</param>
    /// <param name="random">Jitter source for retries; a new, randomly seeded one when null, so replicas jitter apart.</param>
    /// <param name="vault">Where minted credentials wait for their provider; a new one when null.</param>
    /// <param name="planner">What plans each cycle; the default policies with <see cref="ControlLoopOptions.Breakers"/> when null.</param>
    /// <param name="notifier">Where budget alerts with a <c>notify</c> URL go; none are sent when null.</param>
    public ControlLoop(FleetConfig config, IStateStore store, EngineAdapters adapters, TimeProvider time, ILogger logger, EngineMetrics metrics, ControlLoopOptions? options = null, Random? random = null, RunnerCredentialVault? vault = null, Planner? planner = null, IBudgetNotifier? notifier = null)
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
        _cycle = new ControlCycle(_services, _options, planner ?? new Planner(PolicyRegistry.CreateDefault(), _options.Breakers), _signal.Signal, notifier);
        _followerBudgets = new BudgetTracker(_services, null, _options.CostInterval);
        _demand = new DemandIntake(metrics);
        _snapshot = new LoopSnapshot { Config = config, BreakerOptions = _options.Breakers };
        metrics.Attach(() => _snapshot);
        foreach (var source in adapters.Providers.OfType<IInstanceChangeSource>())
        {
            // An instance that ended (a runner process exited) is observed in the next cycle, not at the resync.
            source.InstancesChanged += _signal.Signal;
        }
    }

    /// <summary>The latest cycle's view; replaced atomically after every cycle.</summary>
    public LoopSnapshot Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>The vault providers resolve credential references from.</summary>
    public RunnerCredentialVault Vault => _services.Vault;

    /// <summary>Raised after every completed cycle, on the loop's thread.</summary>
    /// <summary>
    /// The name of the engine's <see cref="System.Diagnostics.ActivitySource"/>: a span per control cycle and a trace per
    /// job (docs/operations.md, OpenTelemetry).
    /// </summary>
    public const string ActivitySourceName = "Drover";

    public event Action<LoopSnapshot>? CycleCompleted;

    /// <summary>Queues a job event and wakes the loop; safe from any thread.</summary>
    public void Ingest(JobEvent jobEvent)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        _demand.Enqueue(jobEvent.ReceivedAt is null ? jobEvent with { ReceivedAt = _time.GetUtcNow() } : jobEvent);
        _signal.Signal();
    }

    /// <summary>Asks for a cycle as soon as possible.</summary>
    public void Wake() => _signal.Signal();

    /// <summary>The providers and forges the loop acts through.</summary>
    public EngineAdapters Adapters => _services.Adapters;

    /// <summary>
    /// Every provider's and forge's health from the calls made to them (see <see cref="Health.AdapterHealth"/>); cheap,
    /// never calls out.
    /// </summary>
    /// <param name="uncheckedReason">What to say of a component nothing has checked yet; a default sentence when null.</param>
    public IReadOnlyList<ComponentHealth> ReadAdapterHealth(string? uncheckedReason = null) =>
        Health.AdapterHealth.Read(_services, Snapshot, uncheckedReason);

    /// <summary>
    /// Start of a term as the acting replica (start-up, or taking over as leader): resolves create intents left in
    /// Requested (those whose provider cannot be listed yet are tried again before each cycle) and reloads the active
    /// jobs into a fresh ledger and the stored arrival history, dropping whatever an earlier term held in memory.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var kept = await new IntentReconciler(_services).ReconcileAsync(Snapshot.Config, null, cancellationToken).ConfigureAwait(false);
        var state = await _store.LoadPlanningStateAsync(SpendSince(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        var arrivals = await _store.LoadArrivalsAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var demand = new DemandIntake(_metrics);
            demand.Restore(state.ActiveJobs);
            demand.Arrivals.Restore(arrivals);
            _demand = demand;
            foreach (var source in _services.Adapters.DemandSources)
            {
                source.Resume(state.ActiveJobs);
            }

            _cycle.Runners.Drop();
            _cycle.Costs.Reset();
            _cycle.Retention.Reset();
            _cycle.Budgets.Reset();
            _cycle.Slo.Reset();
            _keptIntents = kept;
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

    /// <summary>
    /// The leader's part of a graceful shutdown, after its cycles stopped (nothing more is created): ends the idle,
    /// booting, failed and draining runners of host-bound providers (<see cref="IProvider.InstancesAreHostBound"/>:
    /// local processes, which no replica elsewhere can adopt), instance and registration, all at once. Busy runners are
    /// left to finish their jobs (also those the forge reports busy that no cycle has seen take a job yet); they stay recorded in the store, and whichever replica leads next (or this one,
    /// restarted) adopts them. Runners of other providers are left for the next leader. So are runners whose instance
    /// the infrastructure took away (listed lost by the provider now, or failed as lost and waiting for news of the job
    /// they ran: <see cref="ObservationRules.AwaitsLostJob"/>): there is nothing left to end, and the next leader must
    /// still see the loss to re-run the job. Returns how many were ended; stops where it is when
    /// <paramref name="cancellationToken"/> is cancelled (the drain's time is up).
    /// </summary>
    public async Task<int> DrainForShutdownAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var config = Snapshot.Config;
            var runners = await _store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false);
            var now = _time.GetUtcNow();
            var candidates = runners
                .Where(r => r.State != RunnerState.Busy && _services.Adapters.Provider(r.Provider) is { InstancesAreHostBound: true })
                .Where(r => config.FindPool(r.Pool) is not { } pool || !ObservationRules.AwaitsLostJob(r, pool, now))
                .ToList();
            var busy = await BusyAtTheForgeAsync(config, candidates, cancellationToken).ConfigureAwait(false);
            var lost = await LostAtTheProviderAsync(candidates, cancellationToken).ConfigureAwait(false);
            var ending = candidates.Where(r => !busy.Contains(r.Id) && !lost.Contains(r.Id)).ToList();
            EngineLog.ShutdownDrain(_logger, ending.Count);
            var deletion = new RunnerDeletion(_services);
            await Task.WhenAll(ending.Select(r => deletion.DeleteAsync(
                new DeleteRunner(r.Id, r.Pool, DeleteCause.Shutdown, "drover is shutting down: an idle or booting runner on this host is not left behind"),
                config.FindPool(r.Pool)?.Forge,
                _options.Actor,
                cancellationToken))).ConfigureAwait(false);
            _cycle.Runners.Drop();
            return ending.Count;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The runners of <paramref name="runners"/> whose registration the forge reports busy now (a runner may have taken
    /// a job since the last cycle observed it); when a forge cannot be listed, all of its runners count as busy, so no
    /// job is cut short on a guess.
    /// </summary>
    private async Task<HashSet<string>> BusyAtTheForgeAsync(FleetConfig config, IReadOnlyList<Runner> runners, CancellationToken cancellationToken)
    {
        var busy = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in runners.GroupBy(r => config.FindPool(r.Pool)?.Forge, StringComparer.Ordinal))
        {
            if (group.Key is null || _services.Adapters.Forge(group.Key) is not { } forge)
            {
                continue;
            }

            try
            {
                var registrations = await _services.Calls.RunAsync($"forge {forge.Name}", forge.ListRunnersAsync, cancellationToken).ConfigureAwait(false);
                var busyNames = registrations.Where(r => r.Busy).Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
                busy.UnionWith(group.Where(r => busyNames.Contains(r.Id)).Select(r => r.Id));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                EngineLog.ListFailed(_logger, "forge", forge.Name, RunnerCreation.Describe(e));
                busy.UnionWith(group.Select(r => r.Id));
            }
        }

        return busy;
    }

    /// <summary>
    /// The runners of <paramref name="runners"/> whose instance their provider lists as lost now
    /// (<see cref="InstanceFailureKind.Lost"/>); a provider that cannot be listed reports none, and its runners are
    /// ended as planned.
    /// </summary>
    private async Task<HashSet<string>> LostAtTheProviderAsync(IReadOnlyList<Runner> runners, CancellationToken cancellationToken)
    {
        var lost = new HashSet<string>(StringComparer.Ordinal);
        foreach (var group in runners.Where(r => r.InstanceId is not null).GroupBy(r => r.Provider, StringComparer.Ordinal))
        {
            if (_services.Adapters.Provider(group.Key) is not { } provider)
            {
                continue;
            }

            try
            {
                var instances = await _services.Calls.RunAsync($"provider {provider.Name}", provider.ListAsync, cancellationToken).ConfigureAwait(false);
                var gone = instances.Where(i => i.FailureKind == InstanceFailureKind.Lost && i.Failure is not null).Select(i => i.InstanceId).ToHashSet(StringComparer.Ordinal);
                lost.UnionWith(group.Where(r => gone.Contains(r.InstanceId!)).Select(r => r.Id));
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                EngineLog.ListFailed(_logger, "provider", provider.Name, RunnerCreation.Describe(e));
            }
        }

        return lost;
    }

    /// <summary>Runs one cycle (see <see cref="ControlCycle"/>) and publishes its snapshot.</summary>
    public async Task<Plan> RunCycleAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var started = _time.GetTimestamp();
            _cycle.Runners.BeginCycle();
            if (_keptIntents.Count > 0)
            {
                // Intents start-up could not resolve: tried again until their provider lists, instead of holding their
                // pools' slots as booting runners until their Requested timeout.
                _keptIntents = await new IntentReconciler(_services).ReconcileAsync(Snapshot.Config, _keptIntents.ToHashSet(StringComparer.Ordinal), cancellationToken).ConfigureAwait(false);
            }

            using var span = Tracing.EngineTracing.StartCycle();
            var (plan, snapshot, moreDeliveries) = await _cycle.RunAsync(Snapshot, _demand, cancellationToken).ConfigureAwait(false);
            span?.SetTag("drover.cycle", snapshot.Cycles);
            span?.SetTag("drover.plan.actions", plan.Actions.Count);
            span?.SetTag("drover.plan.pools", plan.Pools.Count);
            if (moreDeliveries)
            {
                _signal.Signal();
            }

            Volatile.Write(ref _snapshot, snapshot);
            _metrics.CycleCompleted(_time.GetElapsedTime(started));
            _cycle.Runners.ReadAheadIfDue(_time.GetUtcNow(), cancellationToken);
            EngineLog.CycleDone(_logger, snapshot.At ?? _time.GetUtcNow(), plan.Actions.Count, plan.NextWakeAt?.ToString("O") ?? "none");
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
            return await _cycle.PreviewAsync(Snapshot, _demand, cancellationToken).ConfigureAwait(false);
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
        await _cycle.Requests.SubmitAsync(request, audit, cancellationToken).ConfigureAwait(false);
        _signal.Signal();
    }

    /// <summary>Withdraws an operator request (e.g. resumes a drained pool) with its audit event; false when there was none.</summary>
    public async Task<bool> WithdrawAsync(AdminRequestKind kind, string target, NewEvent audit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(audit);
        var removed = await _cycle.Requests.WithdrawAsync(kind, target, audit, cancellationToken).ConfigureAwait(false);
        _signal.Signal();
        return removed;
    }

    /// <summary>Refreshes the snapshot as a follower sees it (see <see cref="FollowerView"/>).</summary>
    public async Task RefreshViewAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var view = await FollowerView.ReadAsync(_store, Snapshot, now, SpendSince(now), cancellationToken).ConfigureAwait(false);
        view = view with { Budgets = await _followerBudgets.StatusAsync(view.Config, now, cancellationToken).ConfigureAwait(false) };
        Volatile.Write(ref _snapshot, view);
    }

    /// <summary>Switches to a new configuration from the next cycle on.</summary>
    public void Reload(FleetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var current = Snapshot;
        Volatile.Write(ref _snapshot, current with { Config = config });
        _signal.Signal();
    }

    /// <summary>
    /// What the store's pool spend read counts from: nothing (the end of time), since each budget's spend in its own
    /// period comes from <see cref="BudgetTracker"/>, which reads the ledger only when a period or the fleet changes.
    /// </summary>
    internal static DateTimeOffset SpendSince(DateTimeOffset now) => DateTimeOffset.MaxValue;

    /// <summary>Completes when the runner read started between cycles (if any) has; for tests.</summary>
    internal Task RunnersReadAhead => _cycle.Runners.ReadAhead;

    /// <summary>The pool matcher cycles use for <paramref name="config"/> (one per configuration).</summary>
    internal PoolMatcher MatcherFor(FleetConfig config) => _cycle.MatcherFor(config);
}
