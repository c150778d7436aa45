namespace Drover.Engine.Loop;

/// <summary>
/// The queue waits (queued → started) of the jobs that started within <see cref="QueueWaits.Window"/>, per pool, fed one
/// job start at a time (<see cref="Record"/>) instead of re-scanning and re-matching the ledger's hour of jobs every
/// cycle: a cycle's work is the starts it records, the waits that age out, and a sort of each pool whose waits changed.
/// Gives the same percentiles as <see cref="QueueWaits.P95ByPool"/> and <see cref="QueueWaits.P50ByPool"/> over the
/// same starts. Cycle-owned (not thread-safe); the dictionaries it returns are never changed afterwards.
/// </summary>
internal sealed class QueueWaitWindow
{
    private static readonly IReadOnlyDictionary<string, double> _none = new Dictionary<string, double>(StringComparer.Ordinal);

    private readonly Dictionary<string, PriorityQueue<double, DateTimeOffset>> _byPool = new(StringComparer.Ordinal);
    private readonly PriorityQueue<string, DateTimeOffset> _expiries = new();
    private readonly Dictionary<string, (double P50, double P95)> _percentiles = new(StringComparer.Ordinal);
    private readonly HashSet<string> _changed = new(StringComparer.Ordinal);
    private (IReadOnlyDictionary<string, double> P95, IReadOnlyDictionary<string, double> P50) _last = (_none, _none);

    /// <summary>Waits looked at so far: recorded, aged out, and sorted for a percentile (a work count, for tests and benchmarks).</summary>
    public long Examined { get; private set; }

    /// <summary>Waits held now, over every pool.</summary>
    public int Count { get; private set; }

    /// <summary>Records that a job of <paramref name="pool"/> queued at <paramref name="queuedAt"/> started at <paramref name="startedAt"/>.</summary>
    public void Record(string pool, DateTimeOffset queuedAt, DateTimeOffset startedAt)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (!_byPool.TryGetValue(pool, out var waits))
        {
            _byPool[pool] = waits = new PriorityQueue<double, DateTimeOffset>();
        }

        waits.Enqueue(Math.Max(0, (startedAt - queuedAt).TotalSeconds), startedAt);
        _expiries.Enqueue(pool, startedAt);
        _changed.Add(pool);
        Count++;
        Examined++;
    }

    /// <summary>
    /// Per pool, the nearest-rank 95th percentile and median of the waits of jobs that started after
    /// <paramref name="now"/> − <see cref="QueueWaits.Window"/>; pools without such a start are absent. When nothing
    /// changed since the last call, the same dictionaries are returned.
    /// </summary>
    public (IReadOnlyDictionary<string, double> P95, IReadOnlyDictionary<string, double> P50) Percentiles(DateTimeOffset now)
    {
        var since = now - QueueWaits.Window;
        while (_expiries.TryPeek(out var pool, out var startedAt) && startedAt <= since)
        {
            _expiries.Dequeue();
            var waits = _byPool[pool];
            waits.Dequeue();
            Count--;
            Examined++;
            _changed.Add(pool);
            if (waits.Count == 0)
            {
                _byPool.Remove(pool);
            }
        }

        if (_changed.Count == 0)
        {
            return _last;
        }

        foreach (var pool in _changed)
        {
            if (!_byPool.TryGetValue(pool, out var waits))
            {
                _percentiles.Remove(pool);
                continue;
            }

            var sorted = new double[waits.Count];
            var i = 0;
            foreach (var (wait, _) in waits.UnorderedItems)
            {
                sorted[i++] = wait;
            }

            Array.Sort(sorted);
            Examined += sorted.Length;
            _percentiles[pool] = (QueueWaits.NearestRank(sorted, 0.5), QueueWaits.NearestRank(sorted, 0.95));
        }

        _changed.Clear();
        _last = (
            _percentiles.ToDictionary(p => p.Key, p => p.Value.P95, StringComparer.Ordinal),
            _percentiles.ToDictionary(p => p.Key, p => p.Value.P50, StringComparer.Ordinal));
        return _last;
    }
}
