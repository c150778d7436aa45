namespace Drover.Core.Demand;

/// <summary>
/// The single truth about waiting work: every <see cref="JobEvent"/> from every demand source folded into one
/// <see cref="Job"/> per <see cref="JobKey"/>. Tolerates duplicates and any arrival order; see <c>docs/demand.md</c>.
/// </summary>
/// <remarks>
/// <para>
/// States advance along Queued &lt; Expired &lt; Running &lt; Completed | Cancelled and never go back, except that a
/// <c>started</c> event revives an Expired job. An event behind the job's state is <see cref="LedgerApplyResult.Stale"/>:
/// it keeps the state but still fills facts the job lacks, so the final record does not depend on arrival order.
/// </para>
/// <para>
/// Apply, Get and Count are O(1); <see cref="Waiting"/> and <see cref="Running"/> are kept as separate indexes so the
/// planner reads them without scanning finished jobs. Not thread-safe: the engine serialises access, and the
/// collections returned are live views that must not be enumerated while the ledger changes.
/// </para>
/// </remarks>
public sealed class JobLedger
{
    /// <summary>How many delivery ids are remembered for dedupe unless the constructor says otherwise.</summary>
    public const int DefaultDeliveryIdCapacity = 100_000;

    private readonly Dictionary<JobKey, Job> _jobs = [];
    private readonly Dictionary<JobKey, Job> _waiting = [];
    private readonly Dictionary<JobKey, Job> _running = [];
    private readonly DeliveryIdWindow _deliveries;

    /// <param name="deliveryIdCapacity">Delivery ids remembered for dedupe; the oldest are forgotten first.</param>
    public JobLedger(int deliveryIdCapacity = DefaultDeliveryIdCapacity)
    {
        _deliveries = new DeliveryIdWindow(deliveryIdCapacity);
    }

    /// <summary>Every job the ledger holds, in no particular order.</summary>
    public IReadOnlyCollection<Job> Jobs => _jobs.Values;

    /// <summary>Jobs in <see cref="JobState.Queued"/>, in no particular order.</summary>
    public IReadOnlyCollection<Job> Waiting => _waiting.Values;

    /// <summary>Jobs in <see cref="JobState.Running"/>, in no particular order.</summary>
    public IReadOnlyCollection<Job> Running => _running.Values;

    /// <summary>Number of jobs held, finished ones and tombstones included.</summary>
    public int Count => _jobs.Count;

    /// <summary>The job's current record, or null when the ledger has no entry for it.</summary>
    public Job? Get(JobKey key) => _jobs.GetValueOrDefault(key);

    /// <summary>Folds one event into the ledger.</summary>
    public LedgerApplyResult Apply(JobEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);

        if (e.DeliveryId is { } deliveryId && !_deliveries.Add(deliveryId))
        {
            return LedgerApplyResult.Duplicate;
        }

        var target = StateOf(e.Kind);
        if (!_jobs.TryGetValue(e.Key, out var current))
        {
            var created = new Job
            {
                Key = e.Key,
                State = target,
                FinishedAt = IsTerminal(target) ? e.At : null,
                LastEventAt = e.At,
            };
            Store(null, MergeFacts(created, e));
            return LedgerApplyResult.Added;
        }

        var next = MergeFacts(current, e);
        LedgerApplyResult result;
        if (Rank(target) > Rank(current.State))
        {
            // Moving forward; leaving Expired for Running clears the time the ledger gave up on the job.
            next = next with { State = target, FinishedAt = IsTerminal(target) ? e.At : null };
            result = LedgerApplyResult.Updated;
        }
        else if (target == current.State)
        {
            if (IsTerminal(target))
            {
                next = next with { FinishedAt = Earlier(current.FinishedAt, e.At) };
            }

            // LastEventAt alone does not make an event news, but it is still kept: it holds a queued job back from expiry.
            result = next with { LastEventAt = current.LastEventAt } == current ? LedgerApplyResult.Duplicate : LedgerApplyResult.Updated;
        }
        else
        {
            // Behind the current state, or the other terminal kind (the first terminal event wins).
            result = LedgerApplyResult.Stale;
        }

        Store(current, next);
        return result;
    }

    /// <summary>
    /// Attaches the milestones of the runner that took the job (<see cref="Job.RunnerTimes"/>), once: a job that has
    /// them keeps them. Returns the updated job, or null when the ledger does not hold it or it already had them.
    /// </summary>
    public Job? AttachRunnerTimes(JobKey key, JobRunnerTimes times)
    {
        ArgumentNullException.ThrowIfNull(times);
        if (!_jobs.TryGetValue(key, out var current) || current.RunnerTimes is not null)
        {
            return null;
        }

        var next = current with { RunnerTimes = times };
        Store(current, next);
        return next;
    }

    /// <summary>
    /// Marks Queued jobs whose newest event is more than <paramref name="maxQueuedAge"/> before <paramref name="now"/>
    /// as <see cref="JobState.Expired"/>, with <see cref="Job.FinishedAt"/> set to <paramref name="now"/>.
    /// A later <c>started</c> revives such a job to Running; a later <c>queued</c> does not.
    /// </summary>
    /// <returns>How many jobs expired.</returns>
    public int ExpireStale(DateTimeOffset now, TimeSpan maxQueuedAge)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedAge, TimeSpan.Zero);

        List<Job>? expired = null;
        foreach (var job in _waiting.Values)
        {
            if (now - job.LastEventAt > maxQueuedAge)
            {
                (expired ??= []).Add(job);
            }
        }

        if (expired is null)
        {
            return 0;
        }

        foreach (var job in expired)
        {
            Store(job, job with { State = JobState.Expired, FinishedAt = now });
        }

        return expired.Count;
    }

    /// <summary>
    /// Forgets finished jobs (completed, cancelled, expired, tombstones included) whose <see cref="Job.FinishedAt"/> is
    /// before <paramref name="olderThan"/>. A forgotten job is unknown again: a late event for it starts a new entry.
    /// </summary>
    /// <returns>How many jobs were dropped.</returns>
    public int Prune(DateTimeOffset olderThan)
    {
        List<JobKey>? dropped = null;
        foreach (var job in _jobs.Values)
        {
            if (job.IsFinished && (job.FinishedAt ?? job.LastEventAt) < olderThan)
            {
                (dropped ??= []).Add(job.Key);
            }
        }

        if (dropped is null)
        {
            return 0;
        }

        foreach (var key in dropped)
        {
            _jobs.Remove(key);
        }

        return dropped.Count;
    }

    private void Store(Job? previous, Job next)
    {
        _jobs[next.Key] = next;
        if (previous is not null && previous.State != next.State)
        {
            IndexOf(previous.State)?.Remove(previous.Key);
        }

        IndexOf(next.State)?[next.Key] = next;
    }

    private Dictionary<JobKey, Job>? IndexOf(JobState state) => state switch
    {
        JobState.Queued => _waiting,
        JobState.Running => _running,
        _ => null,
    };

    /// <summary>Fills what the job does not know yet; never overwrites a known fact, so the merge is order-independent.</summary>
    private static Job MergeFacts(Job job, JobEvent e) => job with
    {
        Labels = job.Labels.Count == 0 && e.Labels.Count > 0 ? [.. e.Labels] : job.Labels,
        Scope = job.Scope ?? e.Scope,
        RunId = job.RunId ?? e.RunId,
        RunnerName = job.RunnerName ?? e.RunnerName,
        QueuedAt = e.Kind == JobEventKind.Queued ? Earlier(job.QueuedAt, e.At) : job.QueuedAt,
        KnownAt = e.ReceivedAt is { } received ? Earlier(job.KnownAt, received) : job.KnownAt,
        StartedAt = e.Kind == JobEventKind.Started ? Earlier(job.StartedAt, e.At) : job.StartedAt,
        LastEventAt = e.At > job.LastEventAt ? e.At : job.LastEventAt,
    };

    private static DateTimeOffset Earlier(DateTimeOffset? known, DateTimeOffset candidate) =>
        known is { } k && k <= candidate ? k : candidate;

    private static JobState StateOf(JobEventKind kind) => kind switch
    {
        JobEventKind.Queued => JobState.Queued,
        JobEventKind.Started => JobState.Running,
        JobEventKind.Completed => JobState.Completed,
        JobEventKind.Cancelled => JobState.Cancelled,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown job event kind."),
    };

    private static bool IsTerminal(JobState state) => state is JobState.Completed or JobState.Cancelled;

    /// <summary>Position in the lifecycle; a state only gives way to a higher rank.</summary>
    private static int Rank(JobState state) => state switch
    {
        JobState.Queued => 0,
        JobState.Expired => 1,
        JobState.Running => 2,
        _ => 3,
    };
}
