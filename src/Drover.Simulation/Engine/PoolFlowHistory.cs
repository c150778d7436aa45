using Drover.Core.Demand;

namespace Drover.Simulation.Engine;

/// <summary>
/// The simulator's <see cref="IJobFlowHistory"/>: per pool, the arrivals and completions Drover received, in order.
/// Flow entries older than <see cref="Horizon"/> are dropped by <see cref="Prune"/> so memory stays flat; arrival counts
/// (for forecasting policies) come from an <see cref="ArrivalHistory"/>, which keeps weeks of them at fixed size.
/// </summary>
public sealed class PoolFlowHistory : IJobFlowHistory
{
    private readonly Dictionary<string, List<FlowRecord>> _byPool = new(StringComparer.Ordinal);
    private readonly ArrivalHistory _arrivals = new();

    /// <summary>How far back the history reaches.</summary>
    public TimeSpan Horizon { get; init; } = TimeSpan.FromDays(8);

    public void Record(string pool, DateTimeOffset at, JobEventKind kind)
    {
        if (!_byPool.TryGetValue(pool, out var list))
        {
            list = [];
            _byPool[pool] = list;
        }

        list.Add(new FlowRecord(at, kind == JobEventKind.Queued ? JobEventKind.Queued : JobEventKind.Completed));
        if (kind == JobEventKind.Queued)
        {
            _arrivals.Record(pool, at);
        }
    }

    /// <inheritdoc/>
    public int Arrivals(string pool, DateTimeOffset from, DateTimeOffset to) => _arrivals.Arrivals(pool, from, to);

    /// <inheritdoc/>
    public int ArrivalInstants(string pool, DateTimeOffset from, DateTimeOffset to) => _arrivals.ArrivalInstants(pool, from, to);

    /// <inheritdoc/>
    public DateTimeOffset? FirstArrival(string pool) => _arrivals.FirstArrival(pool);

    /// <inheritdoc/>
    public void CopyFlow(string pool, DateTimeOffset after, DateTimeOffset upTo, List<FlowRecord> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (!_byPool.TryGetValue(pool, out var list))
        {
            return;
        }

        for (var i = FirstAfter(list, after, inclusive: false); i < list.Count && list[i].At <= upTo; i++)
        {
            into.Add(list[i]);
        }
    }

    /// <summary>Drops records older than <paramref name="now"/> minus <see cref="Horizon"/>.</summary>
    public void Prune(DateTimeOffset now)
    {
        var cutoff = now - Horizon;
        foreach (var list in _byPool.Values)
        {
            var drop = FirstAfter(list, cutoff, inclusive: true);
            if (drop > 0)
            {
                list.RemoveRange(0, drop);
            }
        }
    }

    /// <summary>Index of the first record at or after (<paramref name="inclusive"/>) or strictly after <paramref name="at"/>.</summary>
    private static int FirstAfter(List<FlowRecord> list, DateTimeOffset at, bool inclusive)
    {
        int lo = 0, hi = list.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var before = inclusive ? list[mid].At < at : list[mid].At <= at;
            if (before)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
