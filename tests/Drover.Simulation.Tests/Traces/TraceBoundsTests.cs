using System.Text;
using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

/// <summary>Trace files with values that would exhaust memory or time: refused at their row, before any work.</summary>
public sealed class TraceBoundsTests
{
    private const string Header = "queued_at,duration_s,labels\n";

    private static TraceFormatException Refused(string text, TraceFormat format, string file = "t.csv") =>
        Assert.Throws<TraceFormatException>(() => TraceReader.Load(new StringReader(text), file, format));

    [Theory]
    [InlineData("1e12", "'1e12' is longer than 2678400 s (31 days), the longest job a trace may hold")]
    [InlineData("2678401", "'2678401' is longer than 2678400 s")]
    public void JobCsv_DurationLongerThanTheLimit_RefusedAtItsRow(string duration, string problem)
    {
        var error = Refused(Header + "2024-01-01T00:00:00Z,60,linux\n" + $"2024-01-01T00:01:00Z,{duration},linux\n", TraceFormat.JobCsv);

        Assert.Equal((3, "duration_s"), (error.Line, error.Column));
        Assert.Equal($"t.csv:3: column 'duration_s': {problem}", error.Message[..Math.Min(error.Message.Length, $"t.csv:3: column 'duration_s': {problem}".Length)]);
    }

    [Fact]
    public void JobCsv_DurationAtTheLimit_IsAccepted()
    {
        var trace = TraceReader.Load(new StringReader(Header + "2024-01-01T00:00:00Z,2678400,linux\n"), "t.csv", TraceFormat.JobCsv);

        Assert.Equal(TraceLimits.MaxDurationSeconds, Assert.Single(trace.Jobs).DurationSeconds);
    }

    [Theory]
    [InlineData("9999-01-01T00:00:00Z")]
    [InlineData("2100-01-01T00:00:00Z")]
    [InlineData("1969-12-31T23:59:59Z")]
    [InlineData("253402300799")]
    public void JobCsv_QueueTimeOutsideTheRange_RefusedAtItsRow(string queued)
    {
        var error = Refused(Header + $"{queued},60,linux\n", TraceFormat.JobCsv);

        Assert.Equal($"t.csv:2: column 'queued_at': '{queued}' is outside the range a trace may name (1970-01-01 to 2099-12-31)", error.Message);
    }

    [Fact]
    public void JobCsv_SpanLongerThanTheLimit_RefusedAtTheRowThatStretchesIt()
    {
        var error = Refused(Header + "2025-06-01T00:00:00Z,60,linux\n2025-01-01T00:00:00Z,60,linux\n2024-01-01T00:00:00Z,60,linux\n", TraceFormat.JobCsv);

        Assert.Equal(
            "t.csv:4: column 'queued_at': '2024-01-01T00:00:00Z' makes the trace span from 2024-01-01T00:00:00Z to 2025-06-01T00:00:00Z, more than the 400 days a trace may cover",
            error.Message);
    }

    [Fact]
    public void RateSeries_CountOfAHundredMillion_RefusedAtItsRowWithoutExpanding()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Refused("bin_start,count\n2024-01-01T00:00:00Z,5\n2024-01-01T00:05:00Z,100000000\n", TraceFormat.RateSeries);

        Assert.Equal("t.csv:3: column 'count': '100000000' brings the trace to 100,000,005 jobs, more than the 10,000,000 a trace may hold", error.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 10_000_000, "nothing the size of the expansion was allocated");
    }

    [Fact]
    public void RateSeries_CountsAddingUpPastTheLimit_RefusedAtTheRowThatCrossesIt()
    {
        var error = Refused("bin_start,count\n2024-01-01T00:00:00Z,6000000\n2024-01-01T00:05:00Z,0\n2024-01-01T00:10:00Z,4000001\n", TraceFormat.RateSeries);

        Assert.Equal((4, "count"), (error.Line, error.Column));
        Assert.Contains("brings the trace to 10,000,001 jobs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RateSeries_BinInYear9999_RefusedAtItsRow()
    {
        var error = Refused("bin_start,count\n2024-01-01T00:00:00Z,5\n9999-01-01T00:00:00Z,5\n", TraceFormat.RateSeries);

        Assert.Equal((3, "bin_start"), (error.Line, error.Column));
        Assert.Contains("is outside the range a trace may name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RateSeries_SpanLongerThanTheLimit_RefusedAtItsRow()
    {
        var error = Refused("bin_start,count\n2024-01-01T00:00:00Z,5\n2026-01-01T00:00:00Z,5\n", TraceFormat.RateSeries);

        Assert.Equal((3, "bin_start"), (error.Line, error.Column));
        Assert.Contains("more than the 400 days a trace may cover", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RateSeries_OneMillisecondBinsWithAYearLongGap_CountsTheMissingBinsWithoutOverflow()
    {
        var series = RateSeriesReader.Read(new StringReader("bin_start,count\n1704067200,1\n1704067200.001,1\n1735603200,1\n"), "t.csv");

        Assert.Equal(31_535_999_998L, Assert.Single(series.Gaps).MissingBins);
    }

    [Fact]
    public void Expand_DistributionDrawingLongerThanTheLimit_Refused()
    {
        var series = new RateSeries([new RateBin(1_704_067_200_000, 1)], TimeSpan.FromMinutes(5));
        var settings = new RateSeriesExpansion { Durations = new LogNormalDurations(1e7, 0), Labels = LabelSet.Create(["linux"]) };

        var error = Assert.Throws<ArgumentException>(() => RateSeriesExpander.Expand(series, settings, "t", "test"));

        Assert.Contains("is longer than 2678400 s", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1704067200,1704067201,1706745602", "end_ts", "minus start_ts is longer than 2678400 s")]
    [InlineData("253402300799,253402300799,253402300800", "submit_ts", "is outside the range a trace may name")]
    [InlineData("4102444800,4102444800,4102444801", "submit_ts", "is outside the range a trace may name")]
    public void Treeherder_OutOfBoundsRow_RefusedAtItsColumn(string times, string column, string problem)
    {
        var error = Refused($"project,submit_ts,start_ts,end_ts,platform\nm-c,{times},linux64\n", TraceFormat.Treeherder);

        Assert.Equal((2, column), (error.Line, error.Column));
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SyntheticOptions_LongerThanTheSpanOrMoreJobsThanTheLimit_Refused()
    {
        Assert.Equal(
            ["Days must be between 1 and 400 (the longest span a trace may cover), not 3000"],
            new SyntheticTraceOptions { Days = 3000, BaseJobsPerHour = 1 }.Validate());
        Assert.Equal(
            ["BaseJobsPerHour (1000000000) over 7 days could exceed the 10000000 jobs a trace may hold"],
            new SyntheticTraceOptions { Days = 7, BaseJobsPerHour = 1e9 }.Validate());
    }
}
