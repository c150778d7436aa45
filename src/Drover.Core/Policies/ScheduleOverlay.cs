using System.Collections.Concurrent;
using Cronos;
using Drover.Core.Config;

namespace Drover.Core.Policies;

/// <summary>
/// Applies a pool's cron periods to its min/idle/max. A period is active during every minute its cron
/// expression matches, read in its time zone. When several are active the last one in the file wins
/// (GitLab's rule); fields a period leaves unset keep the pool's value.
/// </summary>
public static class ScheduleOverlay
{
    private static readonly ConcurrentDictionary<string, CronExpression> Crons = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    public static PoolLimits Apply(PoolConfig pool, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var limits = new PoolLimits(pool.Min, pool.Idle, pool.Max, null);
        if (pool.Schedules.Count == 0)
        {
            return limits;
        }

        for (var i = pool.Schedules.Count - 1; i >= 0; i--)
        {
            var schedule = pool.Schedules[i];
            if (IsActive(schedule, now))
            {
                return new PoolLimits(
                    schedule.Min ?? pool.Min,
                    schedule.Idle ?? pool.Idle,
                    schedule.Max ?? pool.Max,
                    $"{schedule.Cron} ({schedule.TimeZone})");
            }
        }

        return limits;
    }

    /// <summary>True when <paramref name="now"/> falls in a minute the period's cron expression matches.</summary>
    public static bool IsActive(ScheduleConfig schedule, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var cron = Crons.GetOrAdd(schedule.Cron, static c => CronExpression.Parse(c, CronFormat.Standard));
        var zone = Zones.GetOrAdd(schedule.TimeZone, static z => TimeZoneInfo.FindSystemTimeZoneById(z));
        var minute = new DateTimeOffset(now.UtcTicks - (now.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var next = cron.GetNextOccurrence(minute, zone, inclusive: true);
        return next.HasValue && next.Value.UtcTicks == minute.UtcTicks;
    }
}
