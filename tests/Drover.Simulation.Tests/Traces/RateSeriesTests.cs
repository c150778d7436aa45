using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class RateSeriesTests
{
    private const string Series =
        "bin_start,count\n" +
        "2024-01-01T00:00:00Z,3\n" +
        "2024-01-01T00:05:00Z,0\n" +
        "2024-01-01T00:10:00Z,250\n" +
        "2024-01-01T00:30:00Z,7\n";

    private static RateSeries Read(string csv = Series, TimeSpan? width = null) =>
        RateSeriesReader.Read(new StringReader(csv), "rate.csv", width);

    [Fact]
    public void Read_NoWidthGiven_InfersSmallestStepAndFindsGap()
    {
        var series = Read();

        Assert.Equal(TimeSpan.FromMinutes(5), series.BinWidth);
        Assert.Equal(260, series.TotalCount);
        Assert.Equal(1, series.ZeroBins);
        var gap = Assert.Single(series.Gaps);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 15, 0, TimeSpan.Zero), gap.From);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 30, 0, TimeSpan.Zero), gap.To);
        Assert.Equal(3L, gap.MissingBins);
    }

    [Fact]
    public void Read_UnixSecondsWithGivenWidth_UsesGivenWidth()
    {
        var series = Read("bin_start,count\n1704067200,1\n1704067800,2\n", TimeSpan.FromMinutes(1));

        Assert.Equal(TimeSpan.FromMinutes(1), series.BinWidth);
        Assert.Single(series.Gaps);
    }

    [Fact]
    public void Expand_Series_PutsExactlyEachBinsCountInsideThatBin()
    {
        var series = Read();

        var trace = RateSeriesExpander.Expand(series, new RateSeriesExpansion { Seed = 7 }, "r", "test");

        Assert.Equal(260, trace.Count);
        var widthMs = (long)series.BinWidth.TotalMilliseconds;
        foreach (var bin in series.Bins)
        {
            var inBin = trace.Jobs.Count(j => j.QueuedAtUnixMs >= bin.StartUnixMs && j.QueuedAtUnixMs < bin.StartUnixMs + widthMs);
            Assert.Equal(bin.Count, inBin);
        }

        Assert.All(trace.Jobs, j => Assert.Equal("linux", j.Labels.Text));
        Assert.Contains(trace.Notes, n => n.Contains("no rows from 2024-01-01T00:15Z to 2024-01-01T00:30Z", StringComparison.Ordinal));
    }

    [Fact]
    public void Expand_SameSeed_GivesIdenticalJobs()
    {
        var a = RateSeriesExpander.Expand(Read(), new RateSeriesExpansion { Seed = 42 }, "r", "test");
        var b = RateSeriesExpander.Expand(Read(), new RateSeriesExpansion { Seed = 42 }, "r", "test");

        Assert.Equal(a.Jobs, b.Jobs);
    }

    [Fact]
    public void Expand_DifferentSeed_GivesDifferentJobs()
    {
        var a = RateSeriesExpander.Expand(Read(), new RateSeriesExpansion { Seed = 1 }, "r", "test");
        var b = RateSeriesExpander.Expand(Read(), new RateSeriesExpansion { Seed = 2 }, "r", "test");

        Assert.Equal(a.Count, b.Count);
        Assert.NotEqual(a.Jobs, b.Jobs);
    }

    [Fact]
    public void Expand_ShiftBack_ArrivesDurationBeforeACompletionInTheBin()
    {
        var series = Read();
        var settings = new RateSeriesExpansion { Seed = 3, Placement = ArrivalPlacement.ShiftBackByDuration };

        var trace = RateSeriesExpander.Expand(series, settings, "r", "test");

        Assert.Equal(260, trace.Count);
        var widthMs = (long)series.BinWidth.TotalMilliseconds;
        Assert.All(trace.Jobs, job =>
        {
            var completedMs = job.QueuedAtUnixMs + (long)Math.Round(job.DurationSeconds * 1000);
            Assert.Contains(series.Bins, bin => bin.Count > 0 && completedMs >= bin.StartUnixMs && completedMs < bin.StartUnixMs + widthMs);
        });
        Assert.True(trace.Start < series.Bins[0].Start);
    }

    [Fact]
    public void Expand_EmpiricalDurations_DrawsOnlyListedValues()
    {
        var settings = new RateSeriesExpansion { Durations = new EmpiricalDurations([10, 20, 30]) };

        var trace = RateSeriesExpander.Expand(Read(), settings, "r", "test");

        Assert.All(trace.Jobs, j => Assert.Contains(j.DurationSeconds, new[] { 10.0, 20.0, 30.0 }));
        Assert.Equal(3, trace.Jobs.Select(j => j.DurationSeconds).Distinct().Count());
    }

    [Theory]
    [InlineData("bin_start,count\n2024-01-01T00:00:00Z,1\n2024-01-01T00:05:00Z,-1\n", 3, "count", "'-1' is not a whole number of at least 0")]
    [InlineData("bin_start,count\n2024-01-01T00:00:00Z,1.5\n", 2, "count", "'1.5' is not a whole number of at least 0")]
    [InlineData("bin_start,count\n2024-01-01T00:00:00Z,\n", 2, "count", "'' is not a whole number of at least 0")]
    [InlineData("bin_start,count\nnoon,1\n", 2, "bin_start", "'noon' is not a timestamp")]
    [InlineData("bin_start,count\n2024-01-01T00:05:00Z,1\n2024-01-01T00:00:00Z,1\n", 3, "bin_start", "'2024-01-01T00:00:00Z' is not after the previous row's 2024-01-01T00:05:00.000Z")]
    [InlineData("bin_start,count\n2024-01-01T00:05:00Z,1\n2024-01-01T00:05:00Z,1\n", 3, "bin_start", "is not after the previous row's")]
    public void Read_MalformedRow_ReportsFileLineAndColumn(string csv, int line, string column, string problem)
    {
        var error = Assert.Throws<TraceFormatException>(() => Read(csv));

        Assert.Equal("rate.csv", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.StartsWith($"rate.csv:{line}: column '{column}': ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_StepShorterThanGivenWidth_ReportsLine()
    {
        var csv = "bin_start,count\n2024-01-01T00:00:00Z,1\n2024-01-01T00:01:00Z,1\n";

        var error = Assert.Throws<TraceFormatException>(() => Read(csv, TimeSpan.FromMinutes(5)));

        Assert.Equal(3, error.Line);
        Assert.Equal("rate.csv:3: column 'bin_start': '2024-01-01T00:01:00Z' is 60 s after the previous row, less than the bin width of 300 s", error.Message);
    }

    [Fact]
    public void Read_SingleRowWithoutWidth_AsksForTheWidth()
    {
        var error = Assert.Throws<TraceFormatException>(() => Read("bin_start,count\n2024-01-01T00:00:00Z,4\n"));

        Assert.Contains("cannot infer the bin width", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingCountColumn_ReportsHeaderLine()
    {
        var error = Assert.Throws<TraceFormatException>(() => Read("bin_start,jobs\n2024-01-01T00:00:00Z,4\n"));

        Assert.Equal(1, error.Line);
        Assert.Contains("missing column 'count'", error.Message, StringComparison.Ordinal);
    }
}
