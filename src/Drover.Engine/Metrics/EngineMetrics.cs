using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Reflection;
using Drover.Core.Adapters;
using Drover.Core.Resilience;
using Drover.Core.Runners;
using Drover.Engine.Loop;

namespace Drover.Engine.Metrics;

/// <summary>
/// Drover's instruments (System.Diagnostics.Metrics), named as they appear in Prometheus (see docs/metrics.md).
/// One instance per control loop; gauges read the loop's latest <see cref="LoopSnapshot"/> when collected.
/// </summary>
public sealed class EngineMetrics : IDisposable, IAdapterMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Drover";

    private static readonly double[] _waitBuckets = [1, 5, 10, 30, 60, 120, 300, 600, 1800];
    private static readonly double[] _provisionBuckets = [5, 10, 15, 20, 30, 45, 60, 120, 300, 600];
    private static readonly double[] _cycleBuckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
    private static readonly double[] _phaseBuckets = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800];
    private static readonly double[] _durationBuckets = [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 21600];

    private readonly Counter<long> _providerCalls;
    private readonly Counter<long> _forgeCalls;
    private readonly Counter<long> _providerErrors;
    private readonly Counter<long> _forgeErrors;
    private readonly Counter<long> _jobsQueued;
    private readonly Counter<long> _jobsStarted;
    private readonly Counter<long> _jobsCompleted;
    private readonly Counter<long> _jobsCancelled;
    private readonly Counter<long> _jobsFoundByPoll;
    private readonly Counter<long> _orphans;
    private readonly Histogram<double> _jobDuration;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _deliveriesQuarantined;
    private readonly Counter<long> _pollRecordsSkipped;
    private readonly Counter<long> _jobsLost;
    private readonly Counter<long> _jobReruns;
    private readonly Counter<double> _cost;
    private readonly Histogram<double> _queueWait;
    private readonly Histogram<double> _provisioning;
    private readonly Histogram<double> _cycle;
    private readonly Histogram<double> _cycleStep;
    private readonly Histogram<double> _costPass;
    private readonly Histogram<double> _jobPhase;
    private readonly ConcurrentDictionary<string, Func<long?>> _forgeBudgets = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Forge, string ScaleSet), Func<ScaleSetReading?>> _scaleSets = new();
    private readonly ConcurrentDictionary<string, Queue<(DateTimeOffset At, bool Rejected)>> _recentDeliveries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private Func<LoopSnapshot?> _snapshot = () => null;
    private Func<bool> _leading = () => false;
    private Func<IReadOnlyList<ComponentHealth>> _health = () => [];

    /// <summary>How far back <see cref="RecentWebhookDeliveries"/> counts: 5 minutes.</summary>
    public static readonly TimeSpan RecentDeliveryWindow = TimeSpan.FromMinutes(5);

    /// <summary>Creates the meter and its instruments.</summary>
    /// <param name="time">The clock recent webhook deliveries are counted with; the system clock when null.</param>
    public EngineMetrics(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Meter = new Meter(MeterName, Version);
        _providerCalls = Meter.CreateCounter<long>("drover_provider_calls_total", null, "Provider calls by outcome");
        _forgeCalls = Meter.CreateCounter<long>("drover_forge_calls_total", null, "Forge calls by outcome");
        _providerErrors = Meter.CreateCounter<long>("drover_provider_call_errors_total", null, "Failed provider calls by operation and reason");
        _forgeErrors = Meter.CreateCounter<long>("drover_forge_call_errors_total", null, "Failed forge calls by operation and reason");
        _jobsQueued = Meter.CreateCounter<long>("drover_jobs_queued_total", null, "Jobs Drover learnt of while they waited or ran, per pool");
        _jobsStarted = Meter.CreateCounter<long>("drover_jobs_started_total", null, "Jobs that started on a runner, per pool");
        _jobsCompleted = Meter.CreateCounter<long>("drover_jobs_completed_total", null, "Jobs that completed, per pool");
        _jobsCancelled = Meter.CreateCounter<long>("drover_jobs_cancelled_total", null, "Jobs cancelled, per pool");
        _jobsFoundByPoll = Meter.CreateCounter<long>("drover_jobs_found_by_poll_total", null, "Jobs first learnt of from a forge poll, which no webhook had told of, per forge");
        _orphans = Meter.CreateCounter<long>("drover_orphans_total", null, "Orphans acted on: forge runners and instances no Drover runner owns, by kind and adapter");
        _jobDuration = Meter.CreateHistogram<double>("drover_job_duration_seconds", "s", "Time from started to completed, per pool", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _durationBuckets });
        _webhookDeliveries = Meter.CreateCounter<long>("drover_webhook_deliveries_total", null, "Webhook deliveries received, by outcome");
        _deliveriesQuarantined = Meter.CreateCounter<long>("drover_webhook_deliveries_quarantined_total", null, "Webhook deliveries given up on and quarantined, by reason");
        _pollRecordsSkipped = Meter.CreateCounter<long>("drover_forge_poll_records_skipped_total", null, "Job records in a forge's poll answers that could not be read and were skipped");
        _jobsLost = Meter.CreateCounter<long>("drover_jobs_lost_total", null, "Jobs whose runner's instance the infrastructure took away under them, by what follows");
        _jobReruns = Meter.CreateCounter<long>("drover_job_reruns_total", null, "Re-runs of lost jobs the forges accepted or refused");
        _cost = Meter.CreateCounter<double>("drover_cost_total", null, "What runners cost, as the live cost ledger records it, by pool, team (empty: none) and kind (booting, idle, busy, draining), in the pool's currency");
        _queueWait = Meter.CreateHistogram<double>("drover_job_queue_wait_seconds", "s", "Time from queued to started", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _waitBuckets });
        _provisioning = Meter.CreateHistogram<double>("drover_provisioning_duration_seconds", "s", "Time from create intent to a registered runner", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _provisionBuckets });
        _jobPhase = Meter.CreateHistogram<double>("drover_job_phase_seconds", "s", "Where a job's wait went, per pool and phase (intake, decision, provisioning, boot, registration, pickup); the phases of a job sum to its wait", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _phaseBuckets });
        _cycle = Meter.CreateHistogram<double>("drover_plan_cycle_duration_seconds", "s", "Duration of one control cycle", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _cycleBuckets });
        _cycleStep = Meter.CreateHistogram<double>("drover_plan_cycle_step_seconds", "s", "Duration of each step of a control cycle (demand, observe, sync, phases, budgets, plan, execute, requests, cost, retention, alerts, snapshot); a cycle's steps sum to its duration", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _cycleBuckets });
        _costPass = Meter.CreateHistogram<double>("drover_cost_pass_duration_seconds", "s", "Duration of the cost ledger's part of a control cycle, in the cycles that cost runners", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = _cycleBuckets });
        Meter.CreateObservableGauge("drover_desired_runners", ObserveDesired, null, "Desired runners per pool after clamping");
        Meter.CreateObservableGauge("drover_pool_min_runners", () => ObservePools(p => p.Min), null, "The pool's configured minimum of runners");
        Meter.CreateObservableGauge("drover_pool_max_runners", () => ObservePools(p => p.Max), null, "The pool's configured maximum of runners");
        Meter.CreateObservableGauge("drover_pool_wait_target_seconds", ObserveWaitTargets, null, "The queue wait the pool's policy aims to keep 95% of jobs under (predictive pools)");
        Meter.CreateObservableGauge("drover_pool_slo_feasible", ObserveSloFeasible, null, "1 while the pool's last plan meets its queue-wait target (targetWaitP95), 0 while it cannot (plan notes and the pool.slo.changed event say why); no sample for pools without a target or history");
        Meter.CreateObservableGauge("drover_runners", ObserveRunners, null, "Runners per pool and state");
        Meter.CreateObservableGauge("drover_budget_used_ratio", ObserveBudgets, null, "Share of each budget (pool/NAME, team/NAME) spent in its current period; 1 or more: reached");
        Meter.CreateObservableGauge("drover_queued_jobs", ObserveQueued, null, "Waiting jobs matched to each pool");
        Meter.CreateObservableGauge("drover_circuit_breaker_state", ObserveBreakers, null, "Provider circuit breaker: 0 closed, 1 half-open, 2 open");
        Meter.CreateObservableGauge("drover_leader", () => new Measurement<int>(_leading() ? 1 : 0), null, "1 while this replica holds the leader lease and runs the control loop, else 0");
        Meter.CreateObservableGauge("drover_forge_rate_limit_remaining", ObserveForgeBudgets, null, "Requests left in the forge API's current rate-limit window, as the forge last reported it");
        Meter.CreateObservableGauge("drover_scaleset_available_jobs", () => ObserveScaleSets(r => r.AvailableJobs), null, "GitHub runner scale set: jobs offered to the set and not acquired yet (statistics totalAvailableJobs)");
        Meter.CreateObservableGauge("drover_scaleset_acquired_jobs", () => ObserveScaleSets(r => r.AcquiredJobs), null, "GitHub runner scale set: jobs acquired and not yet on a runner (totalAcquiredJobs)");
        Meter.CreateObservableGauge("drover_scaleset_assigned_jobs", () => ObserveScaleSets(r => r.AssignedJobs), null, "GitHub runner scale set: jobs assigned to the set, waiting or running (totalAssignedJobs)");
        Meter.CreateObservableGauge("drover_scaleset_running_jobs", () => ObserveScaleSets(r => r.RunningJobs), null, "GitHub runner scale set: jobs running (totalRunningJobs)");
        Meter.CreateObservableGauge("drover_scaleset_registered_runners", () => ObserveScaleSets(r => r.RegisteredRunners), null, "GitHub runner scale set: runners registered with the set (totalRegisteredRunners)");
        Meter.CreateObservableGauge("drover_scaleset_busy_runners", () => ObserveScaleSets(r => r.BusyRunners), null, "GitHub runner scale set: runners running a job (totalBusyRunners)");
        Meter.CreateObservableGauge("drover_scaleset_idle_runners", () => ObserveScaleSets(r => r.IdleRunners), null, "GitHub runner scale set: runners online and idle (totalIdleRunners)");
        Meter.CreateObservableGauge("drover_scaleset_session", () => ObserveScaleSets(r => r.SessionHeld ? 1 : 0), null, "1 while this replica holds the scale set's message session and its last poll worked, else 0");
        Meter.CreateObservableGauge("drover_scaleset_message_lag_seconds", ObserveScaleSetLag, "s", "How late the scale set's last message's newest job event reached Drover");
        Meter.CreateObservableGauge("drover_component_up", ObserveComponents, null, "1 while a component (store, leadership, forge, provider) is ok or degraded, 0 while it is down; no sample before anything checked it (GET /api/v1/health says why)");
        Meter.CreateObservableGauge("drover_build_info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", Version)), null, "Build information");
    }

    /// <summary>The product version reported by <c>drover_build_info</c>.</summary>
    public static string Version { get; } =
        typeof(EngineMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>The meter exporters listen to.</summary>
    public Meter Meter { get; }

    /// <summary>Makes <c>drover_leader</c> read <paramref name="leading"/>.</summary>
    public void AttachLeadership(Func<bool> leading) => _leading = leading ?? throw new ArgumentNullException(nameof(leading));

    /// <summary>Makes <c>drover_component_up</c> read <paramref name="health"/> (cheap: it runs at every scrape).</summary>
    public void AttachHealth(Func<IReadOnlyList<ComponentHealth>> health) => _health = health ?? throw new ArgumentNullException(nameof(health));

    /// <summary>Requests left in <paramref name="forge"/>'s rate-limit window as the forge last reported it; null when unknown.</summary>
    public long? ForgeRateLimitRemaining(string forge) => _forgeBudgets.TryGetValue(forge, out var remaining) ? remaining() : null;

    /// <summary>Webhook deliveries for <paramref name="forge"/> in the last <see cref="RecentDeliveryWindow"/>: accepted (stored or duplicate) and rejected.</summary>
    public (int Accepted, int Rejected) RecentWebhookDeliveries(string forge)
    {
        if (!_recentDeliveries.TryGetValue(forge, out var queue))
        {
            return (0, 0);
        }

        lock (queue)
        {
            Prune(queue);
            var rejected = queue.Count(d => d.Rejected);
            return (queue.Count - rejected, rejected);
        }
    }

    /// <summary>Makes the gauges read <paramref name="snapshot"/>.</summary>
    public void Attach(Func<LoopSnapshot?> snapshot) => _snapshot = snapshot ?? throw new ArgumentNullException(nameof(snapshot));

    /// <summary>
    /// Makes <c>drover_forge_rate_limit_remaining{forge}</c> read <paramref name="remaining"/> (null: not known yet, no
    /// sample). A forge registered again replaces its reader.
    /// </summary>
    public void ObserveForgeRateLimit(string forge, Func<long?> remaining)
    {
        ArgumentException.ThrowIfNullOrEmpty(forge);
        _forgeBudgets[forge] = remaining ?? throw new ArgumentNullException(nameof(remaining));
    }

    /// <summary>
    /// Counts one provider call of <paramref name="operation"/> (<c>create</c>, <c>delete</c>, <c>list</c>): a success
    /// when <paramref name="error"/> is null, else a failure, also counted by operation and reason (what the error means,
    /// see <see cref="ErrorReason"/>).
    /// </summary>
    public void ProviderCall(string provider, string operation, Exception? error)
    {
        _providerCalls.Add(1, Tag("provider", provider), Tag("outcome", error is null ? "success" : "failure"));
        if (error is not null)
        {
            _providerErrors.Add(1, Tag("provider", provider), Tag("operation", operation), Tag("reason", ErrorReason(error)));
        }
    }

    /// <summary>
    /// Counts one forge call of <paramref name="operation"/> (<c>credential</c>, <c>list-runners</c>, <c>unregister</c>,
    /// <c>rerun</c>) as <see cref="ProviderCall"/> does.
    /// </summary>
    public void ForgeCall(string forge, string operation, Exception? error)
    {
        _forgeCalls.Add(1, Tag("forge", forge), Tag("outcome", error is null ? "success" : "failure"));
        if (error is not null)
        {
            _forgeErrors.Add(1, Tag("forge", forge), Tag("operation", operation), Tag("reason", ErrorReason(error)));
        }
    }

    /// <summary>
    /// The <c>reason</c> label of a failed call: what <see cref="CallFailures.Classify"/> makes of the error
    /// (<c>transient</c>, <c>rate-limited</c>, <c>busy</c>, <c>not-found</c>, <c>configuration</c>), or <c>timeout</c>
    /// when the call ran out of time. A short fixed set, so the label cannot grow with error messages.
    /// </summary>
    public static string ErrorReason(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var e = error; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException or Polly.Timeout.TimeoutRejectedException)
            {
                return "timeout";
            }
        }

        return CallFailures.Classify(error).Kind switch
        {
            CallFailureKind.RateLimited => "rate-limited",
            CallFailureKind.Busy => "busy",
            CallFailureKind.NotFound => "not-found",
            CallFailureKind.Configuration => "configuration",
            _ => "transient",
        };
    }

    /// <summary>
    /// Counts one job lost to the infrastructure in <paramref name="pool"/>; <paramref name="outcome"/> is <c>rerun</c>
    /// (a re-run is asked for), <c>capped</c> (re-run as often as the pool allows) or <c>disabled</c> (the pool does not re-run).
    /// </summary>
    public void JobLost(string pool, string outcome) =>
        _jobsLost.Add(1, new KeyValuePair<string, object?>("pool", pool), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>Adds cost ledger lines the leader just committed to <c>drover_cost_total</c>.</summary>
    public void CostRecorded(IEnumerable<Core.Ports.CostEntry> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        foreach (var line in lines)
        {
            _cost.Add(
                (double)line.Amount,
                new KeyValuePair<string, object?>("pool", line.Pool),
                new KeyValuePair<string, object?>("team", line.Team ?? string.Empty),
                new KeyValuePair<string, object?>("kind", line.Kind is { } kind ? kind.ToString().ToLowerInvariant() : "unattributed"));
        }
    }

    /// <summary>Counts one lost job's re-run in <paramref name="pool"/>: <c>requested</c> (the forge accepted) or <c>refused</c>.</summary>
    public void JobRerun(string pool, string outcome) =>
        _jobReruns.Add(1, new KeyValuePair<string, object?>("pool", pool), new KeyValuePair<string, object?>("outcome", outcome));

    /// <summary>
    /// Counts one quarantined webhook delivery; <paramref name="reason"/> is <c>unreadable</c> (quarantined at once) or
    /// <c>attempts</c> (every attempt failed).
    /// </summary>
    public void WebhookDeliveryQuarantined(string forge, string reason) =>
        _deliveriesQuarantined.Add(1, new KeyValuePair<string, object?>("forge", forge), new KeyValuePair<string, object?>("reason", reason));

    /// <inheritdoc/>
    public void PollRecordSkipped(string forge) =>
        _pollRecordsSkipped.Add(1, new KeyValuePair<string, object?>("forge", forge));

    /// <summary>
    /// Counts one webhook delivery for a configured forge; <paramref name="outcome"/> is <c>stored</c>, <c>duplicate</c>
    /// or <c>rejected</c> when received (these also count towards <see cref="RecentWebhookDeliveries"/>), or a processing
    /// outcome.
    /// </summary>
    public void WebhookDelivery(string forge, string outcome)
    {
        _webhookDeliveries.Add(1, new KeyValuePair<string, object?>("forge", forge), new KeyValuePair<string, object?>("outcome", outcome));
        if (outcome is not ("stored" or "duplicate" or "rejected"))
        {
            // Processing outcomes (processed, ignored, ...) are the same deliveries again, counted once when received.
            return;
        }

        var queue = _recentDeliveries.GetOrAdd(forge, _ => new Queue<(DateTimeOffset, bool)>());
        lock (queue)
        {
            queue.Enqueue((_time.GetUtcNow(), outcome == "rejected"));
            Prune(queue);
        }
    }

    /// <summary>Counts a job Drover learnt of while it waited or ran, in <paramref name="pool"/> (empty: matched to no pool).</summary>
    public void JobQueued(string pool) => _jobsQueued.Add(1, Tag("pool", pool));

    /// <summary>Records each phase of a started job's wait in <c>drover_job_phase_seconds{pool,phase}</c>.</summary>
    public void JobPhasesMeasured(string pool, Core.Demand.JobPhases phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        foreach (var (name, duration) in phases.Each())
        {
            _jobPhase.Record(Math.Max(0, duration.TotalSeconds), Tag("pool", pool), Tag("phase", name));
        }
    }

    /// <summary>Counts a job that started in <paramref name="pool"/> and records how long it waited (when its queue time is known).</summary>
    public void JobStarted(string pool, TimeSpan? wait)
    {
        _jobsStarted.Add(1, Tag("pool", pool));
        if (wait is { } waited)
        {
            _queueWait.Record(Math.Max(0, waited.TotalSeconds), Tag("pool", pool));
        }
    }

    /// <summary>Counts a job that completed in <paramref name="pool"/> and records how long it ran (when its start is known).</summary>
    public void JobCompleted(string pool, TimeSpan? duration)
    {
        _jobsCompleted.Add(1, Tag("pool", pool));
        if (duration is { } ran)
        {
            _jobDuration.Record(Math.Max(0, ran.TotalSeconds), Tag("pool", pool));
        }
    }

    /// <summary>Counts a job cancelled in <paramref name="pool"/>.</summary>
    public void JobCancelled(string pool) => _jobsCancelled.Add(1, Tag("pool", pool));

    /// <summary>Counts a job of <paramref name="forge"/> first learnt of from a poll rather than a webhook delivery.</summary>
    public void JobFoundByPoll(string forge) => _jobsFoundByPoll.Add(1, Tag("forge", forge));

    /// <summary>
    /// Counts one orphan a plan acts on: <paramref name="kind"/> is <c>forge-runner</c> (a registration no runner owns,
    /// on the forge <paramref name="name"/>) or <c>instance</c> (an instance no runner owns, at the provider <paramref name="name"/>).
    /// </summary>
    public void OrphanFound(string kind, string name) => _orphans.Add(1, Tag("kind", kind), Tag("name", name));

    /// <summary>Records how long a runner took from intent to registration.</summary>
    public void RunnerProvisioned(string pool, TimeSpan duration) =>
        _provisioning.Record(Math.Max(0, duration.TotalSeconds), new KeyValuePair<string, object?>("pool", pool));

    /// <summary>Records one control cycle's duration.</summary>
    public void CycleCompleted(TimeSpan duration) => _cycle.Record(Math.Max(0, duration.TotalSeconds));

    /// <summary>Records how long one step of a control cycle took (see <see cref="Loop.CycleSteps"/>).</summary>
    public void CycleStep(string step, TimeSpan duration) => _cycleStep.Record(Math.Max(0, duration.TotalSeconds), Tag("step", step));
    /// <summary>Records how long a cycle's cost pass (or its share of a pass spread over cycles) took.</summary>
    public void CostPassCompleted(TimeSpan duration) => _costPass.Record(Math.Max(0, duration.TotalSeconds));

    /// <inheritdoc/>
    public void Dispose() => Meter.Dispose();

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);

    private void Prune(Queue<(DateTimeOffset At, bool Rejected)> queue)
    {
        var since = _time.GetUtcNow() - RecentDeliveryWindow;
        while (queue.Count > 0 && (queue.Peek().At < since || queue.Count > 100_000))
        {
            queue.Dequeue();
        }
    }

    private IEnumerable<Measurement<double>> ObserveBudgets()
    {
        foreach (var budget in _snapshot()?.Budgets ?? [])
        {
            yield return new Measurement<double>((double)budget.UsedRatio, new KeyValuePair<string, object?>("budget", budget.Name));
        }
    }

    private IEnumerable<Measurement<int>> ObserveComponents()
    {
        foreach (var component in _health())
        {
            if (HealthRecorder.IsUnchecked(component))
            {
                continue;
            }

            yield return new Measurement<int>(component.Status == ComponentStatus.Down ? 0 : 1, Tag("kind", component.Kind), Tag("name", component.Name));
        }
    }

    /// <summary>
    /// Makes the <c>drover_scaleset_*</c> gauges of <paramref name="scaleSet"/> read <paramref name="reading"/>; a scale set
    /// registered again replaces its reader.
    /// </summary>
    public void ObserveScaleSet(string forge, string scaleSet, Func<ScaleSetReading?> reading)
    {
        ArgumentException.ThrowIfNullOrEmpty(forge);
        ArgumentException.ThrowIfNullOrEmpty(scaleSet);
        _scaleSets[(forge, scaleSet)] = reading ?? throw new ArgumentNullException(nameof(reading));
    }

    private IEnumerable<Measurement<long>> ObserveScaleSets(Func<ScaleSetReading, long> value)
    {
        foreach (var ((forge, scaleSet), read) in _scaleSets.OrderBy(p => p.Key.Forge, StringComparer.Ordinal).ThenBy(p => p.Key.ScaleSet, StringComparer.Ordinal))
        {
            if (read() is { } reading)
            {
                yield return new Measurement<long>(value(reading), Tag("forge", forge), Tag("scale_set", scaleSet));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveScaleSetLag()
    {
        foreach (var ((forge, scaleSet), read) in _scaleSets.OrderBy(p => p.Key.Forge, StringComparer.Ordinal).ThenBy(p => p.Key.ScaleSet, StringComparer.Ordinal))
        {
            if (read() is { MessageLag: { } lag })
            {
                yield return new Measurement<double>(Math.Max(0, lag.TotalSeconds), Tag("forge", forge), Tag("scale_set", scaleSet));
            }
        }
    }

    private IEnumerable<Measurement<long>> ObserveForgeBudgets()
    {
        foreach (var (forge, remaining) in _forgeBudgets.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (remaining() is { } value)
            {
                yield return new Measurement<long>(value, Tag("forge", forge));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObservePools(Func<Drover.Core.Config.PoolConfig, int> value)
    {
        foreach (var pool in _snapshot()?.Config.Pools ?? [])
        {
            yield return new Measurement<int>(value(pool), Tag("pool", pool.Name));
        }
    }

    private IEnumerable<Measurement<double>> ObserveWaitTargets()
    {
        foreach (var pool in _snapshot()?.Config.Pools ?? [])
        {
            if (Drover.Core.Policies.PoolWaitTarget.Of(pool) is { } target)
            {
                yield return new Measurement<double>(target.TotalSeconds, Tag("pool", pool.Name));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveSloFeasible()
    {
        foreach (var pool in _snapshot()?.Plan?.Pools ?? [])
        {
            if (pool.SloFeasible is { } feasible)
            {
                yield return new Measurement<int>(feasible ? 1 : 0, Tag("pool", pool.Pool));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveDesired()
    {
        foreach (var pool in _snapshot()?.Plan?.Pools ?? [])
        {
            yield return new Measurement<int>(pool.Desired, Tag("pool", pool.Pool));
        }
    }

    private IEnumerable<Measurement<int>> ObserveQueued()
    {
        if (_snapshot() is not { At: not null } snapshot)
        {
            yield break;
        }

        foreach (var pool in snapshot.Config.Pools)
        {
            yield return new Measurement<int>(snapshot.QueuedByPool.GetValueOrDefault(pool.Name), Tag("pool", pool.Name));
        }
    }

    private IEnumerable<Measurement<int>> ObserveRunners()
    {
        if (_snapshot() is not { } snapshot)
        {
            yield break;
        }

        var pools = snapshot.Config.Pools.Select(p => p.Name).Concat(snapshot.Runners.Select(r => r.Pool)).Distinct(StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            foreach (var state in Enum.GetValues<RunnerState>())
            {
                if (state == RunnerState.Gone)
                {
                    continue;
                }

                var count = snapshot.Runners.Count(r => r.Pool == pool && r.State == state);
                yield return new Measurement<int>(count, Tag("pool", pool), Tag("state", state.ToString().ToLowerInvariant()));
            }
        }
    }

    private IEnumerable<Measurement<int>> ObserveBreakers()
    {
        if (_snapshot() is not { } snapshot)
        {
            yield break;
        }

        var now = snapshot.At ?? DateTimeOffset.MinValue;
        foreach (var provider in snapshot.Config.Providers)
        {
            var state = snapshot.Breakers.GetValueOrDefault(provider.Name) ?? CircuitBreakerState.Closed;
            var value = CircuitBreaker.Current(state, now, snapshot.BreakerOptions) switch
            {
                BreakerStatus.Closed => 0,
                BreakerStatus.HalfOpen => 1,
                _ => 2,
            };
            yield return new Measurement<int>(value, Tag("provider", provider.Name));
        }
    }
}
