using System.Runtime.CompilerServices;

namespace Drover.Core.Policies;

/// <summary>
/// How a pool's arrivals of the last hour came: how many there were, and how many came <em>bunched</em> — more jobs
/// within <see cref="BunchSeconds"/> up to them than the rate of the <see cref="RateWindow"/> before gives with 99 %
/// probability. A matrix fanned out by one push is bunched; a busy hour whose jobs come one after another is not,
/// however fast. Computed from the history's per-second counts once per <see cref="Refresh"/> per pool and history (the
/// planner asks every cycle), so it depends on the history alone. See docs/adr/0014-bunched-arrivals.md.
/// </summary>
internal sealed class BatchProfile
{
    /// <summary>Seconds within which jobs count as one bunch.</summary>
    public const int BunchSeconds = 5;

    /// <summary>Seconds of the rate a bunch is judged against.</summary>
    public const int RateWindow = 300;

    /// <summary>How long a profile is reused before it is computed again.</summary>
    public static readonly TimeSpan Refresh = TimeSpan.FromMinutes(5);

    /// <summary>The span of arrivals a profile reads (the per-second part of <c>ArrivalHistory</c>).</summary>
    public static readonly TimeSpan Span = TimeSpan.FromHours(1);

    private static readonly ConditionalWeakTable<IDemandHistory, Dictionary<string, BatchProfile>> Cache = new();

    private BatchProfile(DateTimeOffset end, int jobs, int bunched)
    {
        End = end;
        Jobs = jobs;
        Bunched = bunched;
    }

    /// <summary>End of the hour read (a multiple of <see cref="Refresh"/>).</summary>
    public DateTimeOffset End { get; }

    /// <summary>Jobs that arrived in the hour.</summary>
    public int Jobs { get; }

    /// <summary>Jobs of the hour that came bunched.</summary>
    public int Bunched { get; }

    /// <summary>Share of the hour's jobs that came bunched; 0 without jobs.</summary>
    public double BunchedShare => Jobs == 0 ? 0 : (double)Bunched / Jobs;

    /// <summary>The profile of the hour before the last <see cref="Refresh"/> boundary at or before <paramref name="now"/>.</summary>
    public static BatchProfile Of(IDemandHistory history, string pool, DateTimeOffset now)
    {
        var step = (long)Refresh.TotalSeconds;
        var end = DateTimeOffset.FromUnixTimeSeconds(Math.DivRem(now.ToUnixTimeSeconds(), step, out var rem) * step - (rem < 0 ? step : 0));
        var byPool = Cache.GetOrCreateValue(history);
        lock (byPool)
        {
            if (byPool.TryGetValue(pool, out var cached) && cached.End == end)
            {
                return cached;
            }

            var profile = Compute(history, pool, end);
            byPool[pool] = profile;
            return profile;
        }
    }

    /// <summary>Counts the bunched jobs among <paramref name="counts"/> (arrivals per second, oldest first).</summary>
    internal static int CountBunched(ReadOnlySpan<int> counts)
    {
        var prefix = new int[counts.Length + 1];
        for (var i = 0; i < counts.Length; i++)
        {
            prefix[i + 1] = prefix[i] + counts[i];
        }

        var bunched = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            // The rate of the window before this second (from the start of the span while it is shorter), and the most
            // jobs within BunchSeconds that rate gives with 99 % probability.
            var before = prefix[i] - prefix[Math.Max(0, i - RateWindow)];
            var rate = before / (double)Math.Clamp(i, 1, RateWindow);
            var usual = Poisson.Quantile(rate * BunchSeconds, 0.01, int.MaxValue) + 1;
            var near = prefix[i] - prefix[Math.Max(0, i - BunchSeconds + 1)];
            bunched += Math.Clamp(near + counts[i] - usual, 0, counts[i]);
        }

        return bunched;
    }

    private static BatchProfile Compute(IDemandHistory history, string pool, DateTimeOffset end)
    {
        var start = end - Span;
        var jobs = history.Arrivals(pool, start, end);
        if (jobs == 0)
        {
            return new BatchProfile(end, 0, 0);
        }

        var counts = new int[(int)Span.TotalSeconds];
        for (var i = 0; i < counts.Length; i++)
        {
            var from = start.AddSeconds(i);
            counts[i] = history.Arrivals(pool, from, from.AddSeconds(1));
        }

        return new BatchProfile(end, jobs, CountBunched(counts));
    }
}
