using Cronos;

namespace Drover.Core.Config;

/// <summary>Rules for one schedule: a valid five-field cron, a known IANA time zone, and overrides that keep limits consistent.</summary>
internal static class ScheduleRules
{
    public static void Check(ValidationContext context, string path, PoolConfig pool, ScheduleConfig schedule, bool poolComplete)
    {
        CheckCron(context, $"{path}.cron", schedule.Cron);
        CheckTimeZone(context, $"{path}.timezone", schedule.TimeZone);

        if (schedule.Min is null && schedule.Idle is null && schedule.Max is null)
        {
            if (schedule.Cron.Length > 0)
            {
                context.Report(path, "this schedule changes nothing; set at least one of min, idle, max");
            }

            return;
        }

        var negative = false;
        foreach (var (key, value) in new[] { ("min", schedule.Min), ("idle", schedule.Idle), ("max", schedule.Max) })
        {
            if (value < 0)
            {
                context.Report($"{path}.{key}", $"must not be negative, got {value}");
                negative = true;
            }
        }

        if (negative || !poolComplete)
        {
            return;
        }

        var min = schedule.Min ?? pool.Min;
        var idle = schedule.Idle ?? pool.Idle;
        var max = schedule.Max ?? pool.Max;
        var limitPath = schedule.Max is not null ? $"{path}.max" : null;
        if (min > max && (schedule.Min is not null || schedule.Max is not null))
        {
            context.Report(limitPath ?? $"{path}.min", $"while this schedule is active min ({min}) would be greater than max ({max})");
        }

        if (idle > max && (schedule.Idle is not null || schedule.Max is not null))
        {
            context.Report(limitPath ?? $"{path}.idle", $"while this schedule is active idle ({idle}) would be greater than max ({max})");
        }
    }

    private static void CheckCron(ValidationContext context, string path, string cron)
    {
        if (cron.Length == 0)
        {
            return;
        }

        try
        {
            CronExpression.Parse(cron, CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            context.Report(path, $"invalid cron expression '{cron}': {CronReason(ex.Message)}; expected five fields: minute hour day-of-month month day-of-week");
        }
    }

    private static string CronReason(string message)
    {
        const string Preamble = "The given cron expression has an invalid format. ";
        var reason = message.StartsWith(Preamble, StringComparison.Ordinal) ? message[Preamble.Length..] : message;
        return reason.TrimEnd('.');
    }

    internal static void CheckTimeZone(ValidationContext context, string path, string timeZone)
    {
        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            context.Report(path, $"unknown time zone '{timeZone}'; use an IANA id such as UTC, Europe/Berlin or America/New_York");
        }
    }
}
