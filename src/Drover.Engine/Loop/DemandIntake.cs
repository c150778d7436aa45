using System.Collections.Concurrent;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Ports;
using Drover.Engine.Metrics;

namespace Drover.Engine.Loop;

/// <summary>
/// The demand side of the loop: job events are queued from any thread, then folded into the <see cref="JobLedger"/>
/// and <see cref="ArrivalHistory"/> at the start of a cycle, and the jobs they changed are written to the store.
/// The ledger itself is only touched by the cycle (it is not thread-safe).
/// </summary>
internal sealed class DemandIntake
{
    private readonly ConcurrentQueue<JobEvent> _incoming = new();
    private readonly EngineMetrics _metrics;

    /// <param name="metrics">Where queue waits are recorded.</param>
    public DemandIntake(EngineMetrics metrics)
    {
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
    }

    /// <summary>The job ledger (cycle-owned).</summary>
    public JobLedger Ledger { get; } = new();

    /// <summary>
    /// Arrivals per pool for forecasting policies (cycle-owned); new ones are written to the store with the jobs that
    /// brought them, and a new term restores what the store kept.
    /// </summary>
    public ArrivalHistory Arrivals { get; } = new() { TracksUnsaved = true };

    /// <summary>
    /// Jobs that started on a runner (or were seen on one) whose runner's milestones are not attached yet
    /// (<see cref="Job.RunnerTimes"/>); <see cref="JobPhaseRecorder"/> attaches them (cycle-owned).
    /// </summary>
    public HashSet<JobKey> AwaitingPhases { get; } = [];

    /// <summary>Queue waits of the jobs that started within the last hour, per pool, fed as jobs start (cycle-owned).</summary>
    public QueueWaitWindow Waits { get; } = new();

    /// <summary>Restored jobs that had started, whose waits go into <see cref="Waits"/> once a cycle has a matcher (cycle-owned).</summary>
    private readonly List<Job> _restoredStarts = [];

    /// <summary>Events waiting to be folded in.</summary>
    public int Pending => _incoming.Count;

    /// <summary>Queues one event; safe from any thread.</summary>
    public void Enqueue(JobEvent jobEvent)
    {
        ArgumentNullException.ThrowIfNull(jobEvent);
        _incoming.Enqueue(jobEvent);
    }

    /// <summary>Loads the store's queued and running jobs into the ledger (start-up).</summary>
    public void Restore(IEnumerable<Job> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        foreach (var job in jobs)
        {
            var at = job.QueuedAt ?? job.LastEventAt;
            Ledger.Apply(new JobEvent
            {
                Key = job.Key,
                Kind = JobEventKind.Queued,
                At = at,
                Labels = job.Labels,
                Scope = job.Scope,
                RunId = job.RunId,
                ReceivedAt = job.KnownAt,
                Ref = job.Ref,
                RefKind = job.RefKind,
                Environment = job.Environment,
            });
            if (job.State == JobState.Running)
            {
                Ledger.Apply(new JobEvent { Key = job.Key, Kind = JobEventKind.Started, At = job.StartedAt ?? job.LastEventAt, RunnerName = job.RunnerName });
            }

            if (job is { QueuedAt: not null, StartedAt: not null })
            {
                _restoredStarts.Add(job);
            }

            if (job.RunnerTimes is { } times)
            {
                Ledger.AttachRunnerTimes(job.Key, times);
            }
            else if (job.State == JobState.Running && job.RunnerName is not null)
            {
                AwaitingPhases.Add(job.Key);
            }
        }
    }

    /// <summary>
    /// Folds every queued event in, ages and prunes the ledger, and persists the jobs that changed — together with
    /// <paramref name="alsoWrite"/>, if any, in the same transaction.
    /// </summary>
    public async Task<int> DrainAsync(
        IStateStore store,
        FleetConfig config,
        PoolMatcher matcher,
        DateTimeOffset now,
        TimeSpan retention,
        CancellationToken cancellationToken,
        Func<IStateWriter, CancellationToken, Task>? alsoWrite = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(matcher);
        var changed = new HashSet<JobKey>();
        foreach (var restored in _restoredStarts)
        {
            if (matcher.Match(restored) is { } pool)
            {
                Waits.Record(pool.Name, restored.QueuedAt!.Value, restored.StartedAt!.Value);
            }
        }

        _restoredStarts.Clear();
        while (_incoming.TryDequeue(out var queued))
        {
            // Events queued before intake stamped them (tests, restores) count as received now.
            var e = queued.ReceivedAt is null ? queued with { ReceivedAt = now } : queued;
            var previous = Ledger.Get(e.Key);
            var before = previous?.State;
            var result = Ledger.Apply(e);
            if (result is LedgerApplyResult.Duplicate)
            {
                continue;
            }

            changed.Add(e.Key);
            if (Ledger.Get(e.Key) is { RunnerName: not null, StartedAt: not null, RunnerTimes: null } && previous is not { RunnerName: not null, StartedAt: not null })
            {
                // Once, when the job is first seen started on a runner: later news of it (its completion, a redelivery)
                // must not measure its wait again — a job taken by a runner not of this fleet never gets runner times.
                AwaitingPhases.Add(e.Key);
            }

            if (e.Kind == JobEventKind.Queued && result == LedgerApplyResult.Added && matcher.Match(e.Key.Forge, e.Labels, e.Scope) is { } pool)
            {
                Arrivals.Record(pool.Name, e.At);
            }

            if (previous is not { QueuedAt: not null, StartedAt: not null } && Ledger.Get(e.Key) is { QueuedAt: { } queuedAt, StartedAt: { } startedAt } started
                && matcher.Match(started) is { } startedIn)
            {
                // The job's wait is known from now on: it counts towards its pool's percentiles for the next hour.
                Waits.Record(startedIn.Name, queuedAt, startedAt);
            }

            if (Ledger.Get(e.Key) is { } job && job.State != before)
            {
                if (before is null && e.DeliveryId is null && job.State is JobState.Queued)
                {
                    // Events from webhook deliveries carry their delivery id; a poll's do not.
                    _metrics.JobFoundByPoll(e.Key.Forge);
                }

                Count(job, before, matcher.Match(e.Key.Forge, job.Labels, job.Scope)?.Name ?? string.Empty);
            }
        }

        // Expired jobs are written too: a restart must not bring them back queued.
        Ledger.ExpireStale(now, config.StaleJobAge, changed);
        var jobs = changed.Select(Ledger.Get).OfType<Job>().ToList();
        Ledger.Prune(now - retention);
        var arrivals = Arrivals.TakeUnsaved();
        if (jobs.Count > 0 || arrivals.Count > 0 || alsoWrite is not null)
        {
            await store.InTransactionAsync(
                async (writer, ct) =>
                {
                    foreach (var job in jobs)
                    {
                        await writer.UpsertJobAsync(job, ct).ConfigureAwait(false);
                    }

                    if (arrivals.Count > 0)
                    {
                        await writer.AddArrivalsAsync(arrivals, TimeSpan.FromDays(7 * Arrivals.Weeks), ct).ConfigureAwait(false);
                    }

                    if (alsoWrite is not null)
                    {
                        await alsoWrite(writer, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        return jobs.Count;
    }

    /// <summary>
    /// Counts the job's move from <paramref name="before"/> (null: first heard of) to its state now, in
    /// <paramref name="pool"/> (empty: it matches no pool): learnt of, started (with its wait), completed (with its
    /// duration) or cancelled. A job first heard of when it had already ended was never waiting here and is counted
    /// only as ended.
    /// </summary>
    private void Count(Job job, JobState? before, string pool)
    {
        if (before is null && job.State is JobState.Queued or JobState.Running)
        {
            _metrics.JobQueued(pool);
        }

        switch (job.State)
        {
            case JobState.Running:
                _metrics.JobStarted(pool, job.QueuedAt is { } queuedAt && job.StartedAt is { } startedAt ? startedAt - queuedAt : null);
                break;
            case JobState.Completed:
                _metrics.JobCompleted(pool, job.StartedAt is { } started && job.FinishedAt is { } finished ? finished - started : null);
                Tracing.EngineTracing.JobFinished(job, pool);
                break;
            case JobState.Cancelled:
                _metrics.JobCancelled(pool);
                Tracing.EngineTracing.JobFinished(job, pool);
                break;
            default:
                break;
        }
    }
}
