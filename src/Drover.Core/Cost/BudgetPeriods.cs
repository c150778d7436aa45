using System.Collections.Concurrent;
using Drover.Core.Config;

namespace Drover.Core.Cost;

/// <summary>The calendar periods budgets count over: day, week (from Monday) or month, in the budget's time zone.</summary>
public static class BudgetPeriods
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>The start and end of the period of <paramref name="budget"/> that holds <paramref name="now"/>.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Current(BudgetConfig budget, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var zone = Zones.GetOrAdd(budget.TimeZone, TimeZoneInfo.FindSystemTimeZoneById);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime.Date;
        var (start, end) = budget.Period switch
        {
            BudgetPeriod.Day => (local, local.AddDays(1)),
            BudgetPeriod.Week => (local.AddDays(-(((int)local.DayOfWeek + 6) % 7)), local.AddDays(7 - (((int)local.DayOfWeek + 6) % 7))),
            _ => (new DateTime(local.Year, local.Month, 1), new DateTime(local.Year, local.Month, 1).AddMonths(1)),
        };
        return (At(start, zone), At(end, zone));
    }

    /// <summary>The status of <paramref name="budget"/> named <paramref name="name"/> with <paramref name="spend"/> in its current period.</summary>
    public static BudgetStatus Status(string name, BudgetConfig budget, decimal spend, DateTimeOffset now)
    {
        var (start, end) = Current(budget, now);
        return new BudgetStatus(name, budget, start, end, spend);
    }

    /// <summary>The name of a pool's budget.</summary>
    public static string PoolBudget(string pool) => $"pool/{pool}";

    /// <summary>The name of a team's budget.</summary>
    public static string TeamBudget(string team) => $"team/{team}";

    /// <summary>A local midnight as an instant (a midnight skipped by a clock change counts from the first valid moment).</summary>
    private static DateTimeOffset At(DateTime local, TimeZoneInfo zone)
    {
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(30);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }
}
