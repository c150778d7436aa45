using Drover.Core.Demand;
using Drover.Core.Matching;

namespace Drover.Engine.Loop;

/// <summary>Percentiles (the median, the 95th) of queue wait (queued → started) per pool, over jobs that started recently.</summary>
internal static class QueueWaits
{
    /// <summary>Jobs that started within this window count. One hour, the ledger's retention of finished jobs.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>
    /// Per pool, the nearest-rank 95th percentile of <c>StartedAt − QueuedAt</c> in seconds, over the jobs that started
    /// after <paramref name="now"/> − <see cref="Window"/>. Pools without such a job are absent.
    /// </summary>
    public static IReadOnlyDictionary<string, double> P95ByPool(IEnumerable<Job> jobs, PoolMatcher matcher, DateTimeOffset now) =>
        ByPool(jobs, matcher, now, 0.95);

    /// <summary>
    /// Per pool, the nearest-rank median of <c>StartedAt − QueuedAt</c> in seconds, over the same jobs as
    /// <see cref="P95ByPool"/>. Pools without such a job are absent.
    /// </summary>
    public static IReadOnlyDictionary<string, double> P50ByPool(IEnumerable<Job> jobs, PoolMatcher matcher, DateTimeOffset now) =>
        ByPool(jobs, matcher, now, 0.5);

    private static IReadOnlyDictionary<string, double> ByPool(IEnumerable<Job> jobs, PoolMatcher matcher, DateTimeOffset now, double quantile)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        ArgumentNullException.ThrowIfNull(matcher);
        var since = now - Window;
        var waits = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        foreach (var job in jobs)
        {
            if (job is not { QueuedAt: { } queued, StartedAt: { } started } || started <= since
                || matcher.Match(job.Key.Forge, job.Labels, job.Scope) is not { } pool)
            {
                continue;
            }

            if (!waits.TryGetValue(pool.Name, out var list))
            {
                waits[pool.Name] = list = [];
            }

            list.Add(Math.Max(0, (started - queued).TotalSeconds));
        }

        return waits.ToDictionary(p => p.Key, p => { p.Value.Sort(); return NearestRank(p.Value, quantile); }, StringComparer.Ordinal);
    }

    /// <summary>The nearest-rank <paramref name="quantile"/> of <paramref name="sorted"/> (ascending, not empty).</summary>
    internal static double NearestRank(IReadOnlyList<double> sorted, double quantile) =>
        sorted[Math.Clamp((int)Math.Ceiling(quantile * sorted.Count) - 1, 0, sorted.Count - 1)];
}
