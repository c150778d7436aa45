using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Reads a rate series CSV: a timestamp column (bin start, ISO-8601 or Unix seconds) and a count column,
/// by default <c>bin_start,count</c>. Rows must be in strictly increasing time order. The bin width is
/// given, or inferred as the smallest step between consecutive rows.
/// </summary>
public static class RateSeriesReader
{
    public const string BinStart = "bin_start";
    public const string Count = "count";

    /// <summary>True when a header row is <c>bin_start,count</c>.</summary>
    public static bool Matches(IReadOnlyList<string> header) =>
        header.Count == 2 && header[0] == BinStart && header[1] == Count;

    /// <exception cref="TraceFormatException">A row is malformed or out of order; nothing is returned.</exception>
    public static RateSeries Read(string path, TimeSpan? binWidth = null)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path, binWidth);
    }

    /// <exception cref="TraceFormatException">A row is malformed or out of order; nothing is returned.</exception>
    public static RateSeries Read(TextReader reader, string file, TimeSpan? binWidth = null, string timeColumn = BinStart, string countColumn = Count)
    {
        if (binWidth is { } given && (given < TimeSpan.FromMilliseconds(1) || given > TraceLimits.MaxSpan))
        {
            throw new ArgumentOutOfRangeException(nameof(binWidth), given, $"must be at least 1 ms and at most {TraceLimits.MaxSpan.TotalDays:0} days");
        }

        var rows = new CsvRowReader(reader, file);
        rows.ReadHeader();
        var timeIndex = rows.Require(timeColumn);
        var countIndex = rows.Require(countColumn);
        var givenMs = binWidth is { } width ? (long)width.TotalMilliseconds : 0;
        var smallestStep = long.MaxValue;
        var bins = new List<RateBin>();
        var total = 0L;
        while (rows.TryReadRow())
        {
            var start = TraceValues.ParseTimestamp(rows, timeIndex);
            var count = TraceValues.ParseCount(rows, countIndex);
            total += count;
            if (total > TraceLimits.MaxJobs)
            {
                throw rows.ValueError(countIndex, TraceLimits.TooManyJobs(total));
            }

            if (bins.Count == TraceLimits.MaxJobs)
            {
                throw rows.Error(null, string.Create(CultureInfo.InvariantCulture, $"more than {TraceLimits.MaxJobs:N0} rows, the most a rate series may hold"));
            }

            if (bins.Count > 0 && TraceLimits.CheckSpan(bins[0].StartUnixMs, start) is { } span)
            {
                throw rows.ValueError(timeIndex, span);
            }

            if (bins.Count > 0)
            {
                var step = start - bins[^1].StartUnixMs;
                if (step <= 0)
                {
                    throw rows.ValueError(timeIndex, $"is not after the previous row's {TraceValues.FormatTimestamp(bins[^1].StartUnixMs)}");
                }

                if (givenMs > 0 && step < givenMs)
                {
                    throw rows.ValueError(timeIndex, string.Create(CultureInfo.InvariantCulture, $"is {step / 1000.0:0.###} s after the previous row, less than the bin width of {givenMs / 1000.0:0.###} s"));
                }

                smallestStep = Math.Min(smallestStep, step);
            }

            bins.Add(new RateBin(start, count));
        }

        if (givenMs == 0 && bins.Count < 2)
        {
            throw new TraceFormatException(file, rows.LineNumber, null, "cannot infer the bin width from fewer than two rows; give it explicitly");
        }

        return new RateSeries(bins, TimeSpan.FromMilliseconds(givenMs > 0 ? givenMs : smallestStep));
    }
}
