using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class TraceReaderTests
{
    [Theory]
    [InlineData("queued_at,started_at,duration_s,labels,scope", TraceFormat.JobCsv)]
    [InlineData("queued_at,duration_s,labels", TraceFormat.JobCsv)]
    [InlineData("bin_start,count", TraceFormat.RateSeries)]
    [InlineData("bin_start_utc,completed_events_5min", TraceFormat.CondaForge)]
    [InlineData("job_guid,project,submit_ts,start_ts,end_ts,queue_s,run_s,os_name,platform", TraceFormat.Treeherder)]
    public void DetectFormat_KnownHeader_ReturnsFormat(string header, TraceFormat expected)
    {
        var text = "# a comment\n\n" + header + "\n";

        Assert.Equal(expected, TraceReader.DetectFormat(new StringReader(text), "t.csv"));
    }

    [Fact]
    public void DetectFormat_UnknownHeader_ReportsHeaderLine()
    {
        var error = Assert.Throws<TraceFormatException>(() => TraceReader.DetectFormat(new StringReader("\ntime,jobs\n"), "t.csv"));

        Assert.Equal(2, error.Line);
        Assert.StartsWith("t.csv:2: unrecognised header 'time,jobs'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_RateSeriesFile_ExpandsWithOptions()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-rate-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "bin_start,count\n2024-01-01T00:00:00Z,5\n2024-01-01T00:01:00Z,2\n");
        try
        {
            var trace = TraceReader.Load(path, new TraceLoadOptions { Seed = 4, DefaultLabels = ["arm64", "linux"], Name = "rates" });

            Assert.Equal("rates", trace.Name);
            Assert.Equal(7, trace.Count);
            Assert.Equal("arm64;linux", Assert.Single(trace.LabelSets).Text);
            Assert.True(trace.End < new DateTimeOffset(2024, 1, 1, 0, 2, 0, TimeSpan.Zero));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Load_TreeherderRowEndingBeforeStart_ReportsColumn()
    {
        var csv = "project,submit_ts,start_ts,end_ts,platform\nm-c,100,110,105,linux64\n";

        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Load(new StringReader(csv), "th.csv", TraceFormat.Treeherder));

        Assert.Equal("th.csv:2: column 'end_ts': '105' is before start_ts", error.Message);
    }

    [Fact]
    public void Load_TreeherderNonNumericTimestamp_ReportsColumn()
    {
        var csv = "project,submit_ts,start_ts,end_ts,platform\nm-c,100,110,120,linux64\nm-c,soon,110,120,linux64\n";

        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Load(new StringReader(csv), "th.csv", TraceFormat.Treeherder));

        Assert.Equal("th.csv:3: column 'submit_ts': 'soon' is not a Unix timestamp in whole seconds", error.Message);
    }

    [Fact]
    public void Load_CondaForgeRowWithBadCount_ReportsColumn()
    {
        var csv = "bin_start_utc,completed_events_5min\n2024-01-01T13:40:00+00:00,2\n2024-01-01T13:45:00+00:00,x\n";

        var error = Assert.Throws<TraceFormatException>(() => TraceReader.Load(new StringReader(csv), "cf.csv", TraceFormat.CondaForge));

        Assert.Equal("cf.csv:3: column 'completed_events_5min': 'x' is not a whole number of at least 0", error.Message);
    }
}
