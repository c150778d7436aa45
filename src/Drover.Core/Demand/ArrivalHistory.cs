using Drover.Core.Policies;

namespace Drover.Core.Demand;

/// <summary>
/// Counts job arrivals per pool for forecasting policies: per second over the last hour (to see a burst start) and per
/// hour over the last <see cref="Weeks"/> weeks (to learn hour-of-week seasonality). Memory is fixed per pool
/// (about 20 KB), whatever the arrival rate. Arrivals older than the hour-long window still count in their hour.
/// Not thread-safe: the control loop (or simulator) owns it.
/// </summary>
public sealed class ArrivalHistory : IDemandHistory
{
    private const int SecondsKept = 3_600;
    private readonly Dictionary<string, PoolCounts> _pools = new(StringComparer.Ordinal);

    public ArrivalHistory(int weeks = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weeks, 1);
        Weeks = weeks;
    }

    /// <summary>How many weeks of hourly counts are kept.</summary>
    public int Weeks { get; }

    /// <summary>Records one arrival for <paramref name="pool"/> at <paramref name="at"/>.</summary>
    public void Record(string pool, DateTimeOffset at)
    {
        if (!_pools.TryGetValue(pool, out var counts))
        {
            counts = new PoolCounts(Weeks * 7 * 24);
            _pools[pool] = counts;
        }

        counts.Add(ToSecond(at));
    }

    /// <inheritdoc/>
    public int Arrivals(string pool, DateTimeOffset from, DateTimeOffset to) =>
        to <= from || !_pools.TryGetValue(pool, out var counts) ? 0 : counts.Count(ToSecond(from), ToSecond(to));

    /// <summary>The first second any arrival was recorded for the pool, or null when none was.</summary>
    public DateTimeOffset? FirstArrival(string pool) =>
        _pools.TryGetValue(pool, out var counts) && counts.First is { } first ? DateTimeOffset.FromUnixTimeSeconds(first) : null;

    private static long ToSecond(DateTimeOffset at) => at.ToUnixTimeSeconds();

    /// <summary>Ring buffers of per-second and per-hour counts for one pool.</summary>
    private sealed class PoolCounts(int hoursKept)
    {
        private readonly int[] _seconds = new int[SecondsKept];
        private readonly int[] _hours = new int[hoursKept];
        private long _latestSecond = long.MinValue;
        private long _latestHour = long.MinValue;

        public long? First { get; private set; }

        public void Add(long second)
        {
            First = First is null || second < First ? second : First;
            AdvanceTo(second);
            if (_latestSecond - second < SecondsKept)
            {
                _seconds[Slot(second, SecondsKept)]++;
            }

            var hour = Math.DivRem(second, 3_600, out var rem) - (rem < 0 ? 1 : 0);
            if (_latestHour - hour < _hours.Length)
            {
                _hours[Slot(hour, _hours.Length)]++;
            }
        }

        /// <summary>Arrivals in [from, to): exact where per-second counts are kept, pro rata per hour before that.</summary>
        public int Count(long from, long to)
        {
            var oldestSecond = _latestSecond - SecondsKept + 1;
            double total = 0;
            var fineFrom = Math.Max(from, oldestSecond);
            var fineTo = Math.Min(to, _latestSecond + 1);
            for (var s = fineFrom; s < fineTo; s++)
            {
                total += _seconds[Slot(s, SecondsKept)];
            }

            var coarseTo = Math.Min(to, oldestSecond);
            for (var s = from; s < coarseTo;)
            {
                var hour = Math.DivRem(s, 3_600, out var rem) - (rem < 0 ? 1 : 0);
                var hourEnd = (hour + 1) * 3_600;
                var until = Math.Min(coarseTo, hourEnd);
                if (_latestHour - hour < _hours.Length && hour <= _latestHour)
                {
                    total += _hours[Slot(hour, _hours.Length)] * (until - s) / 3_600.0;
                }

                s = until;
            }

            return (int)Math.Round(total);
        }

        private void AdvanceTo(long second)
        {
            if (second <= _latestSecond)
            {
                return;
            }

            var clear = _latestSecond == long.MinValue ? SecondsKept : (int)Math.Min(SecondsKept, second - _latestSecond);
            for (var i = 1; i <= clear; i++)
            {
                _seconds[Slot(second - clear + i, SecondsKept)] = 0;
            }

            _latestSecond = second;
            var hour = Math.DivRem(second, 3_600, out var rem) - (rem < 0 ? 1 : 0);
            if (hour > _latestHour)
            {
                var clearHours = _latestHour == long.MinValue ? _hours.Length : (int)Math.Min(_hours.Length, hour - _latestHour);
                for (var i = 1; i <= clearHours; i++)
                {
                    _hours[Slot(hour - clearHours + i, _hours.Length)] = 0;
                }

                _latestHour = hour;
            }
        }

        private static int Slot(long index, int length)
        {
            var slot = index % length;
            return (int)(slot < 0 ? slot + length : slot);
        }
    }
}
