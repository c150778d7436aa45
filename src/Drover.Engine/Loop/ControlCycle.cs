using Drover.Core.Config;
using Drover.Core.Matching;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Execution;

namespace Drover.Engine.Loop;

/// <summary>
/// One cycle of the control loop: demand in (deliveries and job events), observe providers and forges, plan, execute
/// the plan and the operator's requests, ask the forges to re-run jobs lost to the infrastructure, and the snapshot
/// that results. It keeps no state between cycles but the runner cache; the loop runs one cycle at a time.
/// </summary>
internal sealed class ControlCycle
{
    private readonly ExecutionServices _services;
    private readonly ControlLoopOptions _options;
    private readonly Planner _planner;
    private readonly PlanExecutor _executor;
    private readonly ObservationSync _sync;
    private readonly ProviderHealth _health;
    private readonly WorldObserver _observer;
    private readonly DeliveryIntake _deliveries;
    private readonly OperatorRequests _requests;
    private readonly LostJobReruns _reruns;
    private readonly JobPhaseRecorder _phases;
    private (FleetConfig Config, PoolMatcher Matcher)? _matcher;

    public ControlCycle(ExecutionServices services, ControlLoopOptions options, Planner planner, Action wake, Core.Cost.IBudgetNotifier? notifier = null)
    {
        _services = services;
        _options = options;
        _planner = planner;
        _executor = new PlanExecutor(services);
        _reruns = new LostJobReruns(services);
        _sync = new ObservationSync(services, _reruns);
        _phases = new JobPhaseRecorder(services);
        _health = new ProviderHealth(services);
        _observer = new WorldObserver(services, options.ForgeListMaxAge, options.ForgeListStaleLimit, wake);
        _deliveries = new DeliveryIntake(services, options);
        _requests = new OperatorRequests(services.Store, _executor);
        Runners = new RunnerCache(services.Store, options.ResyncInterval);
        Costs = new CostLedger(services, options.CostInterval);
        Budgets = new BudgetTracker(services, notifier, TimeSpan.FromHours(1));
        Retention = new StoreRetention(services);
    }

    /// <summary>Which pools' plans meet their wait target, and the events when that changes.</summary>
    public SloWatch Slo { get; } = new();

    /// <summary>Where every budget stands, and their alerts.</summary>
    public BudgetTracker Budgets { get; }

    /// <summary>The live cost ledger's writer.</summary>
    public CostLedger Costs { get; }

    /// <summary>Deletes what the fleet file's retention no longer keeps.</summary>
    public StoreRetention Retention { get; }

    /// <summary>The live runners between cycles.</summary>
    public RunnerCache Runners { get; }

    /// <summary>Operator requests, stored and carried out.</summary>
    public OperatorRequests Requests => _requests;

    /// <summary>Runs one cycle on <paramref name="current"/>'s configuration; returns the plan, the new snapshot and whether deliveries are left.</summary>
    public async Task<(Plan Plan, LoopSnapshot Snapshot, bool MoreDeliveries)> RunAsync(LoopSnapshot current, DemandIntake demand, CancellationToken cancellationToken)
    {
        var store = _services.Store;
        var config = current.Config;
        var now = _services.Time.GetUtcNow();
        var matcher = MatcherFor(config);
        var steps = new CycleSteps(_services.Time, _services.Metrics);
        try
        {
            var deliveries = await _deliveries.CollectAsync(demand.Enqueue, now, cancellationToken).ConfigureAwait(false);
            await demand.DrainAsync(
                store, config, matcher, now, _options.FinishedJobRetention, cancellationToken,
                deliveries.Any ? deliveries.WriteAsync : null).ConfigureAwait(false);
            steps.Done(CycleSteps.Demand);
            var requests = await store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
            var drained = OperatorRequests.DrainedPools(config, requests);
            var observed = await ObserveAsync(config, demand, now, steps, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Sync);
            await _phases.RecordAsync(demand, observed.Runners, now, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Phases);
            var (poolSpend, teamSpend) = BudgetTracker.Spend(await Budgets.StatusAsync(config, now, cancellationToken).ConfigureAwait(false));
            observed = observed with { PoolSpend = poolSpend, TeamSpend = teamSpend };
            steps.Done(CycleSteps.Budgets);
            var plan = _planner.Plan(OperatorRequests.Effective(config, drained), observed, demand.Ledger, now, demand.Arrivals);
            await Slo.RecordAsync(store, plan, _options.Actor, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Plan);
            var breakers = await _executor.ExecuteAsync(plan.Actions, config, observed.Breakers, _options.Actor, cancellationToken).ConfigureAwait(false);
            if (_executor.HeldBackUntil is { } heldBack && (plan.NextWakeAt is not { } wake || heldBack < wake))
            {
                // Creates a rate limit held back are planned again once it ends.
                plan = plan with { NextWakeAt = heldBack };
            }

            steps.Done(CycleSteps.Execute);

            breakers = await _requests.DeleteRequestedAsync(requests, config, breakers, cancellationToken).ConfigureAwait(false);
            await _reruns.RequestDueAsync(_options.Actor, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Requests);
            var costedAt = _services.Time.GetUtcNow();
            var costs = await Costs.RecordAsync(config, demand.Ledger.Get, costedAt, force: false, cancellationToken).ConfigureAwait(false);
            Budgets.Add(config, costs);
            steps.Done(CycleSteps.Cost);
            await Retention.PruneAsync(config.Retention, costedAt, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Retention);
            var budgets = await Budgets.StatusAsync(config, costedAt, cancellationToken).ConfigureAwait(false);
            await Budgets.RaiseAlertsAsync(budgets, costedAt, _options.Actor, cancellationToken).ConfigureAwait(false);
            steps.Done(CycleSteps.Alerts);
            var after = await Runners.AfterCycleAsync(observed.Runners, plan.Actions, requests, cancellationToken).ConfigureAwait(false);
            var waits = demand.Waits.Percentiles(now);
            var snapshot = current with
            {
                At = now,
                Plan = plan,
                Runners = after,
                Breakers = breakers,
                DrainedPools = drained,
                QueuedByPool = plan.Pools.ToDictionary(p => p.Pool, p => p.Demand.Queued, StringComparer.Ordinal),
                WaitP95ByPool = waits.P95,
                WaitP50ByPool = waits.P50,
                Budgets = budgets,
                PendingCost = costs.Pending,
                Cycles = current.Cycles + 1,
                BreakerOptions = _options.Breakers,
            };
            steps.Done(CycleSteps.Snapshot);
            return (plan, snapshot, deliveries.More);
        }
        catch
        {
            // What the cycle wrote before it failed is not in the cache: the next cycle reads the runners from the store.
            Runners.Drop();
            throw;
        }
    }

    /// <summary>
    /// The pool matcher of <paramref name="config"/>: built once per configuration (a reload brings a new one), not
    /// once per cycle.
    /// </summary>
    internal PoolMatcher MatcherFor(FleetConfig config)
    {
        if (_matcher is not { } known || !ReferenceEquals(known.Config, config))
        {
            _matcher = known = (config, new PoolMatcher(config));
        }

        return known.Matcher;
    }

    /// <summary>What a cycle would plan now, without executing anything or changing the ledger's pending events.</summary>
    public async Task<Plan> PreviewAsync(LoopSnapshot current, DemandIntake demand, CancellationToken cancellationToken)
    {
        var store = _services.Store;
        var now = _services.Time.GetUtcNow();
        var stored = await store.LoadObservedStateAsync(ControlLoop.SpendSince(now), withRunners: true, cancellationToken).ConfigureAwait(false);
        var config = current.Config;
        var (poolSpend, teamSpend) = BudgetTracker.Spend(await Budgets.StatusAsync(config, now, cancellationToken).ConfigureAwait(false));
        stored = stored with { PoolSpend = poolSpend, TeamSpend = teamSpend };
        var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
        var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
        var observed = stored with { Instances = [.. instances.Values.SelectMany(i => i)], ForgeRunners = [.. forgeRunners.Lists.Values.SelectMany(f => f)] };
        var requests = await store.ListAdminRequestsAsync(cancellationToken).ConfigureAwait(false);
        return _planner.Plan(OperatorRequests.Effective(config, OperatorRequests.DrainedPools(config, requests)), observed, demand.Ledger, now, demand.Arrivals);
    }

    private async Task<ObservedState> ObserveAsync(FleetConfig config, DemandIntake demand, DateTimeOffset now, CycleSteps steps, CancellationToken cancellationToken)
    {
        var store = _services.Store;
        var instances = await _observer.ListInstancesAsync(cancellationToken).ConfigureAwait(false);
        var forgeRunners = await _observer.ListForgeRunnersAsync(now, cancellationToken).ConfigureAwait(false);
        // The runners come from the cache when it is recent, else from the store.
        var reload = Runners.MustReload(now);
        var stored = await store.LoadObservedStateAsync(ControlLoop.SpendSince(now), withRunners: reload, cancellationToken).ConfigureAwait(false);
        stored = stored with { Runners = Runners.Use(stored.Runners, reload, now) };
        steps.Done(CycleSteps.Observe);
        var synced = await _sync.SyncAsync(stored.Runners, config, forgeRunners.Lists, forgeRunners.At, demand.Ledger, instances, now, cancellationToken).ConfigureAwait(false);
        if (synced.Rejected)
        {
            // Part of a refused path may have been written: read the runners as the store has them.
            stored = stored with { Runners = await store.ListLiveRunnersAsync(null, cancellationToken).ConfigureAwait(false) };
            Runners.Reset(stored.Runners, now);
        }
        else if (synced.Changed.Count > 0)
        {
            stored = stored with { Runners = Runners.Apply(stored.Runners, synced.Changed.Select(c => (c.After.Id, (Runner?)c.After))) };
        }

        if (synced.Changed.Count > 0)
        {
            stored = stored with { Breakers = await RecordBootOutcomesAsync(synced.Changed, stored.Breakers, cancellationToken).ConfigureAwait(false) };
        }

        return stored with
        {
            Instances = [.. instances.Values.SelectMany(i => i)],
            ForgeRunners = [.. forgeRunners.Lists.Values.SelectMany(f => f)],
        };
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
}
