using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>Parsing and formatting of the values that trace files share: timestamps, numbers, counts.</summary>
internal static class TraceValues
{
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
    private const long MaxUnixMs = 253_402_300_799_999;

    /// <summary>An ISO-8601 timestamp (offset-less means UTC) or Unix seconds, to Unix milliseconds.</summary>
    public static bool TryParseTimestamp(ReadOnlySpan<char> text, out long unixMs)
    {
        text = text.Trim();
        unixMs = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        if (text.IndexOfAny('-', 'T', ':') <= 0)
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !double.IsFinite(seconds))
            {
                return false;
            }

            var ms = Math.Round(seconds * 1000.0);
            if (ms is < 0 or > MaxUnixMs)
            {
                return false;
            }

            unixMs = (long)ms;
            return true;
        }

        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            return false;
        }

        unixMs = parsed.ToUnixTimeMilliseconds();
        return true;
    }

    /// <summary>A timestamp within <see cref="TraceLimits.Earliest"/> and <see cref="TraceLimits.End"/>, in Unix milliseconds.</summary>
    public static long ParseTimestamp(CsvRowReader row, int column)
    {
        if (!TryParseTimestamp(row[column], out var ms))
        {
            throw row.ValueError(column, "is not a timestamp (ISO-8601 or Unix seconds)");
        }

        return TraceLimits.CheckTime(ms) is { } problem ? throw row.ValueError(column, problem) : ms;
    }

    /// <summary>A duration in seconds: finite, not negative, at most <see cref="TraceLimits.MaxDurationSeconds"/>.</summary>
    public static double ParseSeconds(CsvRowReader row, int column)
    {
        if (!double.TryParse(row[column].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            throw row.ValueError(column, "is not a number");
        }

        if (value < 0)
        {
            throw row.ValueError(column, "is negative");
        }

        return TraceLimits.CheckDuration(value) is { } problem ? throw row.ValueError(column, problem) : value;
    }

    public static int ParseCount(CsvRowReader row, int column) =>
        int.TryParse(row[column].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw row.ValueError(column, "is not a whole number of at least 0");

    public static string FormatTimestamp(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static string FormatInstant(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);

    public static bool TryFormatTimestamp(long unixMs, Span<char> destination, out int written) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.TryFormat(destination, out written, TimestampFormat, CultureInfo.InvariantCulture);
}
