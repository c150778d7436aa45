using Drover.Core.Policies;

namespace Drover.Core.Demand;

/// <summary>
/// Counts job arrivals per pool for forecasting policies: per second over the last hour (to see a burst start) and per
/// hour over the last <see cref="Weeks"/> weeks (to learn hour-of-week seasonality) — both as jobs and as arrival
/// instants (seconds with at least one arrival), so a matrix fanned out at once reads as one event of many jobs. Memory is fixed per pool
/// (about 20 KB), whatever the arrival rate; a query costs at most one pass over the hours or seconds it spans.
/// Not thread-safe: the control loop (or simulator) owns it.
/// </summary>
public sealed class ArrivalHistory : IDemandHistory
{
    private const int SecondsKept = 3_600;
    private readonly Dictionary<string, PoolCounts> _pools = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Pool, long Second), int> _unsaved = [];

    public ArrivalHistory(int weeks = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        Weeks = weeks;
    }

    /// <summary>How many weeks of hourly counts are kept.</summary>
    public int Weeks { get; }

    /// <summary>
    /// Whether recorded arrivals are also kept for <see cref="TakeUnsaved"/> (a history the store persists); off for
    /// one that lives in memory only.
    /// </summary>
    public bool TracksUnsaved { get; init; }

    /// <summary>Records one arrival for <paramref name="pool"/> at <paramref name="at"/>.</summary>
    public void Record(string pool, DateTimeOffset at)
    {
        var second = ToSecond(at);
        Counts(pool).Add(second);
        if (TracksUnsaved)
        {
            _unsaved[(pool, second)] = _unsaved.GetValueOrDefault((pool, second)) + 1;
        }
    }

    /// <summary>
    /// The arrivals recorded since the last call, as per-second buckets (by pool and second), for the store to add to
    /// what it keeps; they are not returned again.
    /// </summary>
    public IReadOnlyList<ArrivalBucket> TakeUnsaved()
    {
        var taken = _unsaved.OrderBy(u => u.Key.Pool, StringComparer.Ordinal).ThenBy(u => u.Key.Second).Select(u => new ArrivalBucket(u.Key.Pool, DateTimeOffset.FromUnixTimeSeconds(u.Key.Second), TimeSpan.FromSeconds(1), u.Value, 1)).ToList();
        _unsaved.Clear();
        return taken;
    }

    /// <summary>
    /// Loads what the store kept (into a history with nothing recorded yet): hourly buckets count toward the hour-of-week
    /// rates, per-second buckets are replayed as arrivals, so queries answer as they did in the history that saved them.
    /// </summary>
    public void Restore(StoredArrivals stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        foreach (var bucket in stored.Buckets.OrderBy(b => b.Start).ThenByDescending(b => b.Width))
        {
            var counts = Counts(bucket.Pool);
            var second = ToSecond(bucket.Start);
            if (bucket.Width >= TimeSpan.FromHours(1))
            {
                counts.AddHour(second, bucket.Jobs, bucket.Instants);
            }
            else
            {
                for (var i = 0; i < bucket.Jobs; i++)
                {
                    counts.Add(second);
                }
            }
        }

        foreach (var (pool, first) in stored.FirstArrivals)
        {
            Counts(pool).SetFirst(ToSecond(first));
        }
    }

    private PoolCounts Counts(string pool)
    {
        if (!_pools.TryGetValue(pool, out var counts))
        {
            counts = new PoolCounts(Weeks * 7 * 24);
            _pools[pool] = counts;
        }

        return counts;
    }

    /// <inheritdoc/>
    public int Arrivals(string pool, DateTimeOffset from, DateTimeOffset to) =>
        to <= from || !_pools.TryGetValue(pool, out var counts) ? 0 : counts.Jobs.Count(ToSecond(from), ToSecond(to));

    /// <inheritdoc/>
    public int ArrivalInstants(string pool, DateTimeOffset from, DateTimeOffset to) =>
        to <= from || !_pools.TryGetValue(pool, out var counts) ? 0 : counts.Instants.Count(ToSecond(from), ToSecond(to));

    /// <summary>The first second any arrival was recorded for the pool, or null when none was.</summary>
    public DateTimeOffset? FirstArrival(string pool) =>
        _pools.TryGetValue(pool, out var counts) && counts.First is { } first ? DateTimeOffset.FromUnixTimeSeconds(first) : null;

    private static long ToSecond(DateTimeOffset at) => at.ToUnixTimeSeconds();

    /// <summary>Jobs and arrival instants of one pool.</summary>
    private sealed class PoolCounts(int hoursKept)
    {
        public CountSeries Jobs { get; } = new(hoursKept);

        public CountSeries Instants { get; } = new(hoursKept);

        public long? First { get; private set; }

        public void Add(long second)
        {
            First = First is null || second < First ? second : First;
            var firstInItsSecond = !Jobs.HasAt(second);
            Jobs.Add(second);
            if (firstInItsSecond)
            {
                Instants.Add(second);
            }
        }

        /// <summary>Adds a stored hour's counts (no per-second detail) to the hourly series.</summary>
        public void AddHour(long second, int jobs, int instants)
        {
            First = First is null || second < First ? second : First;
            Jobs.AddHour(second, jobs);
            Instants.AddHour(second, instants);
        }

        public void SetFirst(long second) => First = First is null || second < First ? second : First;
    }

    /// <summary>
    /// Cumulative counts C(t) = events up to and including second (or hour) t, kept in rings for the last hour of
    /// seconds and the retained hours, so any range is a difference of two entries.
    /// </summary>
    private sealed class CountSeries(int hoursKept)
    {
        private readonly CumulativeRing _seconds = new(SecondsKept);
        private readonly CumulativeRing _hours = new(hoursKept);

        public void Add(long second)
        {
            _seconds.Add(second);
            _hours.Add(HourOf(second));
        }

        /// <summary>Adds <paramref name="count"/> events to the hour of <paramref name="second"/> only.</summary>
        public void AddHour(long second, int count) => _hours.Add(HourOf(second), count);

        /// <summary>True when an event is already counted at <paramref name="second"/> (only known within the last hour).</summary>
        public bool HasAt(long second) =>
            second - 1 >= _seconds.Oldest && _seconds.Through(second) - _seconds.Through(second - 1) > 0;

        /// <summary>
        /// Arrivals in [from, to): exact per second for ranges within the last hour; longer or older ranges per hour,
        /// partial hours pro rata (the latest hour counts whole once the range reaches its latest arrival).
        /// </summary>
        public int Count(long from, long to)
        {
            if (from - 1 >= _seconds.Oldest)
            {
                return (int)(_seconds.Through(to - 1) - _seconds.Through(from - 1));
            }

            var firstHour = HourOf(from);
            var lastHour = HourOf(to - 1);
            double sum;
            if (firstHour == lastHour)
            {
                sum = Part(firstHour, from, to);
            }
            else
            {
                sum = Part(firstHour, from, (firstHour + 1) * 3_600)
                    + (_hours.Through(lastHour - 1) - _hours.Through(firstHour))
                    + Part(lastHour, lastHour * 3_600, to);
            }

            return (int)Math.Round(sum);
        }

        private double Part(long hour, long from, long to)
        {
            var bucket = _hours.Through(hour) - _hours.Through(hour - 1);
            var whole = hour == _hours.Latest && from <= hour * 3_600 && to > _seconds.Latest;
            return whole ? bucket : bucket * (to - from) / 3_600.0;
        }

        private static long HourOf(long second) => Math.DivRem(second, 3_600, out var rem) - (rem < 0 ? 1 : 0);
    }

    /// <summary>
    /// A ring of cumulative counts C(i) = arrivals at indexes up to and including i (seconds or hours), kept for the
    /// <c>length + 1</c> indexes ending at <see cref="Latest"/>. Adding in order costs O(1); a late arrival updates the
    /// entries after it.
    /// </summary>
    private sealed class CumulativeRing(int length)
    {
        private readonly long[] _cumulative = new long[length + 1];
        private long _total;

        public long Latest { get; private set; } = long.MinValue;

        /// <summary>The oldest index whose cumulative count is kept.</summary>
        public long Oldest => Latest == long.MinValue ? long.MaxValue : Latest - length;

        public void Add(long index, long count = 1)
        {
            if (count <= 0)
            {
                return;
            }

            if (Latest == long.MinValue)
            {
                Latest = index;
            }
            else if (index > Latest)
            {
                for (var i = Math.Max(Latest + 1, index - length); i <= index; i++)
                {
                    _cumulative[Slot(i)] = _total;
                }

                Latest = index;
            }

            _total += count;
            for (var i = Math.Max(index, Oldest); i <= Latest; i++)
            {
                _cumulative[Slot(i)] += count;
            }
        }

        /// <summary>C(<paramref name="index"/>), clamped to the kept range (older indexes read as the oldest kept one).</summary>
        public long Through(long index) =>
            Latest == long.MinValue ? 0 : _cumulative[Slot(Math.Clamp(index, Oldest, Latest))];

        private int Slot(long index)
        {
            var slot = index % (length + 1);
            return (int)(slot < 0 ? slot + length + 1 : slot);
        }
    }
}
