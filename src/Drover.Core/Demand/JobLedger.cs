using Drover.Core.Matching;

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
    private readonly Dictionary<string, RunnerJobs> _byRunner = new(StringComparer.Ordinal);
    private readonly PriorityQueue<JobKey, DateTimeOffset> _finishedBy = new();
    private readonly PriorityQueue<JobKey, DateTimeOffset> _queuedSince = new();
    private WaitingAssignment? _assignment;

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

    /// <summary>
    /// The waiting jobs assigned to pools by <paramref name="matcher"/>, kept current from here on as jobs change. Built
    /// once (matching every waiting job) and again only when asked with a matcher that assigns differently
    /// (<see cref="PoolMatcher.AssignsLike"/>); in between, each change re-matches only the job it touches.
    /// </summary>
    public WaitingAssignment AssignWaiting(PoolMatcher matcher)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        if (_assignment is null || !_assignment.Matcher.AssignsLike(matcher))
        {
            _assignment = new WaitingAssignment(matcher, _waiting.Values);
        }

        return _assignment;
    }

    /// <summary>A ledger holding exactly <paramref name="jobs"/> as they are (the last record of a key wins), for planning over a given set of jobs.</summary>
    public static JobLedger Of(IEnumerable<Job> jobs)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        var ledger = new JobLedger(deliveryIdCapacity: 1);
        foreach (var job in jobs)
        {
            ledger.Store(ledger.Get(job.Key), job);
        }

        return ledger;
    }

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
    /// <param name="now">The time the jobs expire at.</param>
    /// <param name="maxQueuedAge">How long a queued job may go without news.</param>
    /// <param name="expiredKeys">Where the keys of the jobs that expired are added (to persist them), if given.</param>
    /// <returns>How many jobs expired.</returns>
    public int ExpireStale(DateTimeOffset now, TimeSpan maxQueuedAge, ICollection<JobKey>? expiredKeys = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxQueuedAge, TimeSpan.Zero);

        // Queued jobs by their newest event, oldest first: only the ones old enough are looked at.
        var expired = 0;
        while (_queuedSince.TryPeek(out var key, out var lastEventAt) && now - lastEventAt > maxQueuedAge)
        {
            _queuedSince.Dequeue();
            Examined++;
            if (_waiting.TryGetValue(key, out var job) && job.LastEventAt == lastEventAt)
            {
                Store(job, job with { State = JobState.Expired, FinishedAt = now });
                expiredKeys?.Add(key);
                expired++;
            }
        }

        return expired;
    }

    /// <summary>
    /// Forgets finished jobs (completed, cancelled, expired, tombstones included) whose <see cref="Job.FinishedAt"/> is
    /// before <paramref name="olderThan"/>. A forgotten job is unknown again: a late event for it starts a new entry.
    /// </summary>
    /// <returns>How many jobs were dropped.</returns>
    public int Prune(DateTimeOffset olderThan)
    {
        // Finished jobs by the time they finished, oldest first: only the ones old enough are looked at.
        var dropped = 0;
        while (_finishedBy.TryPeek(out var key, out var finishedAt) && finishedAt < olderThan)
        {
            _finishedBy.Dequeue();
            Examined++;
            if (_jobs.TryGetValue(key, out var job) && job.IsFinished && PruneTime(job) == finishedAt)
            {
                _jobs.Remove(key);
                Unindex(job);
                dropped++;
            }
        }

        return dropped;
    }

    /// <summary>
    /// The job the runner named <paramref name="runnerName"/> runs, as the forge reported it (the latest started, should
    /// events have been lost), and the one it finished last; null where there is none. Kept as events arrive, so a lookup does not scan the ledger.
    /// </summary>
    public (JobKey? Running, JobKey? Finished) JobsOn(string runnerName)
    {
        ArgumentNullException.ThrowIfNull(runnerName);
        return _byRunner.TryGetValue(runnerName, out var jobs) ? (jobs.Running.Count > 0 ? jobs.Running[^1] : null, jobs.Finished) : (null, null);
    }

    /// <summary>Jobs looked at by <see cref="ExpireStale"/> and <see cref="Prune"/> so far (a work count, for tests and benchmarks).</summary>
    public long Examined { get; private set; }

    private void Store(Job? previous, Job next)
    {
        _jobs[next.Key] = next;
        if (previous is not null && previous.State != next.State)
        {
            IndexOf(previous.State)?.Remove(previous.Key);
        }

        IndexOf(next.State)?[next.Key] = next;
        if (next.State == JobState.Queued && (previous is not { State: JobState.Queued } || previous.LastEventAt != next.LastEventAt))
        {
            _queuedSince.Enqueue(next.Key, next.LastEventAt);
        }

        if (next.IsFinished && (previous is null || !previous.IsFinished || PruneTime(previous) != PruneTime(next)))
        {
            _finishedBy.Enqueue(next.Key, PruneTime(next));
        }

        if (next.RunnerName is { } runnerName)
        {
            if (!_byRunner.TryGetValue(runnerName, out var jobs))
            {
                jobs = new RunnerJobs();
                _byRunner[runnerName] = jobs;
            }

            jobs.Running.Remove(next.Key);
            if (next.State == JobState.Running)
            {
                jobs.Running.Add(next.Key);
            }

            if (next.IsFinished && (jobs.Finished is null || jobs.Finished == next.Key || PruneTime(next) >= jobs.FinishedAt))
            {
                // The one that finished last: pruning it prunes any other the runner finished.
                jobs.Finished = next.Key;
                jobs.FinishedAt = PruneTime(next);
            }
            else if (!next.IsFinished && jobs.Finished == next.Key)
            {
                // An expired job revived by its start.
                jobs.Finished = null;
            }
        }

        if (_assignment is not null && (previous is { State: JobState.Queued } || next.State == JobState.Queued))
        {
            _assignment.Update(previous, next);
        }
    }

    /// <summary>Forgets a pruned job in the runner index.</summary>
    private void Unindex(Job job)
    {
        if (job.RunnerName is { } name && _byRunner.TryGetValue(name, out var jobs))
        {
            jobs.Running.Remove(job.Key);
            if (jobs.Finished == job.Key)
            {
                jobs.Finished = null;
            }

            if (jobs.Running.Count == 0 && jobs.Finished is null)
            {
                _byRunner.Remove(name);
            }
        }
    }

    /// <summary>When a finished job may be pruned from.</summary>
    private static DateTimeOffset PruneTime(Job job) => job.FinishedAt ?? job.LastEventAt;

    private Dictionary<JobKey, Job>? IndexOf(JobState state) => state switch
    {
        JobState.Queued => _waiting,
        JobState.Running => _running,
        _ => null,
    };

    /// <summary>
    /// Fills what the job does not know yet; never overwrites a known fact, so the merge is order-independent. The times
    /// its wait is measured by (created, known, started) may still move earlier as better-informed events arrive, until
    /// its phases are measured (<see cref="Job.RunnerTimes"/> attached): from then on they are fixed, so the phases the
    /// metrics recorded and the ones the API shows are the same and sum to the same wait.
    /// </summary>
    private static Job MergeFacts(Job job, JobEvent e)
    {
        // One copy of the record per event.
        var timesFixed = job.RunnerTimes is not null && job is { QueuedAt: not null, KnownAt: not null, StartedAt: not null };
        return job with
        {
            Labels = job.Labels.Count == 0 && e.Labels.Count > 0 ? [.. e.Labels] : job.Labels,
            Scope = job.Scope ?? e.Scope,
            RunId = job.RunId ?? e.RunId,
            Ref = job.Ref ?? e.Ref,
            RefKind = MoreSpecific(job.RefKind, e.RefKind),
            Environment = job.Environment ?? e.Environment,
            RunnerName = job.RunnerName ?? e.RunnerName,
            LastEventAt = e.At > job.LastEventAt ? e.At : job.LastEventAt,
            QueuedAt = !timesFixed && e.Kind == JobEventKind.Queued ? Earlier(job.QueuedAt, e.At) : job.QueuedAt,
            KnownAt = !timesFixed && e.ReceivedAt is { } received ? Earlier(job.KnownAt, received) : job.KnownAt,
            StartedAt = !timesFixed && e.Kind == JobEventKind.Started ? Earlier(job.StartedAt, e.At) : job.StartedAt,
        };
    }

    /// <summary>
    /// The ref kind a job keeps: the first told, except that a plain branch gives way to what a later source tells more
    /// precisely (a GitHub job's webhook says branch, the poller's workflow run says pull request); order-independent.
    /// </summary>
    private static JobRefKind? MoreSpecific(JobRefKind? known, JobRefKind? told) =>
        known is null || (known == JobRefKind.Branch && told is not null) ? told ?? known : known;

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

    /// <summary>The jobs one runner name is known to run (one, unless an event was lost) and the one it finished last.</summary>
    private sealed class RunnerJobs
    {
        public List<JobKey> Running { get; } = new(1);

        public JobKey? Finished { get; set; }

        public DateTimeOffset FinishedAt { get; set; }
    }
}
