using Drover.Core.Demand;

namespace Drover.Core.Matching;

/// <summary>
/// A <see cref="JobLedger"/>'s waiting jobs assigned to pools by one <see cref="PoolMatcher"/>, kept current as the
/// ledger changes: a job is matched when it starts waiting (or its labels or scope become known), and leaves its pool
/// when it stops waiting. A plan reads it without looking at the jobs that did not change, so the work per cycle
/// follows what changed, not the backlog. The same assignment as <see cref="PoolMatcher.Assign"/> over
/// <see cref="JobLedger.Waiting"/>, in no particular order within a pool.
/// </summary>
/// <remarks>Owned by its ledger (<see cref="JobLedger.AssignWaiting"/>); like the ledger, not thread-safe, and its collections are live views.</remarks>
public sealed class WaitingAssignment
{
    private readonly Dictionary<string, Dictionary<JobKey, Job>> _byPool = new(StringComparer.Ordinal);
    private readonly Dictionary<JobKey, Job> _unmatched = [];
    private readonly Dictionary<JobKey, string?> _poolOf = [];

    internal WaitingAssignment(PoolMatcher matcher, IEnumerable<Job> waiting)
    {
        Matcher = matcher;
        foreach (var job in waiting)
        {
            Add(job);
        }
    }

    /// <summary>The matcher the jobs were assigned with.</summary>
    public PoolMatcher Matcher { get; }

    /// <summary>How many times a job was matched against the pools since this assignment was built (a work count, for tests and benchmarks).</summary>
    public long Matches { get; private set; }

    /// <summary>Waiting jobs assigned, unmatched ones included.</summary>
    public int Count => _poolOf.Count;

    /// <summary>The waiting jobs <paramref name="pool"/> takes (a live view).</summary>
    public IReadOnlyCollection<Job> For(string pool) => _byPool.TryGetValue(pool, out var jobs) ? jobs.Values : [];

    /// <summary>Waiting jobs no pool can take (a live view).</summary>
    public IReadOnlyCollection<Job> Unmatched => _unmatched.Values;

    /// <summary>The pool <paramref name="key"/> is assigned to, null when it is unmatched or not waiting.</summary>
    public string? PoolOf(JobKey key) => _poolOf.GetValueOrDefault(key);

    /// <summary>Follows one change of the ledger: <paramref name="before"/> replaced by <paramref name="after"/> (either may be null).</summary>
    internal void Update(Job? before, Job? after)
    {
        var wasWaiting = before is { State: JobState.Queued };
        var isWaiting = after is { State: JobState.Queued };
        if (wasWaiting && isWaiting && SameRequest(before!, after!) && _poolOf.TryGetValue(after!.Key, out var pool))
        {
            // Same forge, scope and labels: same pool; only the record changes.
            BucketOf(pool)[after.Key] = after;
            return;
        }

        if (wasWaiting)
        {
            Remove(before!.Key);
        }

        if (isWaiting)
        {
            Add(after!);
        }
    }

    private void Add(Job job)
    {
        Remove(job.Key);
        Matches++;
        var pool = Matcher.Match(job)?.Name;
        if (pool is not null && !_byPool.ContainsKey(pool))
        {
            _byPool[pool] = [];
        }

        BucketOf(pool)[job.Key] = job;
        _poolOf[job.Key] = pool;
    }

    private void Remove(JobKey key)
    {
        if (_poolOf.Remove(key, out var pool))
        {
            BucketOf(pool).Remove(key);
        }
    }

    private Dictionary<JobKey, Job> BucketOf(string? pool) => pool is null ? _unmatched : _byPool[pool];

    private static bool SameRequest(Job a, Job b) =>
        ReferenceEquals(a.Labels, b.Labels) && string.Equals(a.Scope, b.Scope, StringComparison.Ordinal) && string.Equals(a.Key.Forge, b.Key.Forge, StringComparison.Ordinal);
}
