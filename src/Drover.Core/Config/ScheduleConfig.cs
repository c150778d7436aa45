namespace Drover.Core.Config;

/// <summary>
/// A cron period during which a pool's limits differ, e.g. more warm runners on weekday working hours.
/// When several periods match, the last one in the file wins (GitLab's rule); unset fields keep the pool's value.
/// </summary>
public sealed record ScheduleConfig
{
    /// <summary>Five-field cron expression; the period is active during every minute it matches.</summary>
    public required string Cron { get; init; }

    /// <summary>IANA time zone id the cron is read in. Default UTC.</summary>
    public string TimeZone { get; init; } = "UTC";

    public int? Min { get; init; }

    public int? Idle { get; init; }

    public int? Max { get; init; }
}
