using System.Globalization;

namespace Drover.Core.Traces;

/// <summary>
/// What a trace may hold, so that a typo in a file (a count of 100,000,000, a duration of 1e12 s, a date in year 9999)
/// is refused at its row instead of exhausting memory or making the simulator run for hours. The shared year-long
/// conda-forge trace (1,045,475 jobs over 366 days, durations capped at 6 h) is well inside every limit.
/// </summary>
public static class TraceLimits
{
    /// <summary>Most jobs a trace may hold or expand to (48 bytes a job: 480 MB).</summary>
    public const int MaxJobs = 10_000_000;

    /// <summary>Longest job, in seconds: 31 days (GitHub stops a self-hosted job after 5 days).</summary>
    public const double MaxDurationSeconds = 31 * 24 * 3600;

    /// <summary>Longest time from the first to the last queued job (or bin): 400 days.</summary>
    public static readonly TimeSpan MaxSpan = TimeSpan.FromDays(400);

    /// <summary>Earliest time a trace may name: 1970-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>The first time a trace may no longer name: 2100-01-01T00:00:00Z.</summary>
    public static readonly DateTimeOffset End = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Earliest time in Unix milliseconds.</summary>
    public static long EarliestUnixMs => Earliest.ToUnixTimeMilliseconds();

    /// <summary><see cref="End"/> in Unix milliseconds (exclusive).</summary>
    public static long EndUnixMs => End.ToUnixTimeMilliseconds();

    /// <summary>The problem with a time, or null when it is within <see cref="Earliest"/> and <see cref="End"/>.</summary>
    public static string? CheckTime(long unixMs) =>
        unixMs < EarliestUnixMs || unixMs >= EndUnixMs ? "is outside the range a trace may name (1970-01-01 to 2099-12-31)" : null;

    /// <summary>The problem with a duration in seconds, or null when it is finite, not negative and at most <see cref="MaxDurationSeconds"/>.</summary>
    public static string? CheckDuration(double seconds) =>
        !double.IsFinite(seconds) || seconds < 0 ? "is not a finite duration of at least 0 seconds"
        : seconds > MaxDurationSeconds ? string.Create(CultureInfo.InvariantCulture, $"is longer than {MaxDurationSeconds:0} s (31 days), the longest job a trace may hold")
        : null;

    /// <summary>
    /// The problem with a trace that runs from <paramref name="firstUnixMs"/> to <paramref name="lastUnixMs"/>, or null
    /// when that is at most <see cref="MaxSpan"/>.
    /// </summary>
    public static string? CheckSpan(long firstUnixMs, long lastUnixMs) =>
        lastUnixMs - firstUnixMs > (long)MaxSpan.TotalMilliseconds
            ? string.Create(CultureInfo.InvariantCulture, $"makes the trace span from {Format(firstUnixMs)} to {Format(lastUnixMs)}, more than the {MaxSpan.TotalDays:0} days a trace may cover")
            : null;

    private static string Format(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>The message for a trace that would hold more than <see cref="MaxJobs"/> jobs.</summary>
    public static string TooManyJobs(long jobs) =>
        string.Create(CultureInfo.InvariantCulture, $"brings the trace to {jobs:N0} jobs, more than the {MaxJobs:N0} a trace may hold");
}
