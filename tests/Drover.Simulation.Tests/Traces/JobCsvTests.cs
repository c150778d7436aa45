using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class JobCsvTests
{
    private const string Header = "queued_at,started_at,duration_s,labels,scope\n";

    [Fact]
    public void WriteThenRead_MixedJobs_RoundTripsJobsAndMetadata()
    {
        var interner = new LabelSetInterner();
        var jobs = new[]
        {
            new TraceJob(1_704_067_200_123, 1_704_067_260_000, 312.0625, interner.Intern(["linux", "gpu"]), "org/ml, \"big\" repo"),
            new TraceJob(1_704_067_200_123, null, 0.1 + 0.2, interner.Intern(["windows"]), null),
            new TraceJob(1_704_070_000_000, null, 6 * 3600, LabelSet.Empty, "org/app"),
        };
        var original = new Trace("sample", "unit test", jobs, ["first note", "second note"]);

        var text = new StringWriter();
        JobCsv.Write(original, text);
        var read = JobCsv.Read(new StringReader(text.ToString()), "sample.csv");

        Assert.Equal(original.Jobs, read.Jobs);
        Assert.Equal("sample", read.Name);
        Assert.Equal("unit test", read.Source);
        Assert.Equal(original.Notes, read.Notes);
    }

    [Fact]
    public void Write_Job_UsesIsoUtcMillisecondsAndSemicolonLabels()
    {
        var trace = new Trace("t", "s", [new TraceJob(1_704_067_200_500, null, 42, LabelSet.Parse("linux;x64"), "o/r")]);

        var text = new StringWriter();
        JobCsv.Write(trace, text);

        Assert.EndsWith(Header + "2024-01-01T00:00:00.500Z,,42,linux;x64,o/r\n", text.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnixSecondsAndOffsets_ConvertsToUtc()
    {
        var csv = Header + "1704067200,2024-01-01T01:00:05+01:00,10,linux,\n" + "1704067200.25,,10,linux,\n";

        var trace = JobCsv.Read(new StringReader(csv), "t.csv");

        Assert.Equal(1_704_067_200_000, trace.Jobs[0].QueuedAtUnixMs);
        Assert.Equal(TimeSpan.FromSeconds(5), trace.Jobs[0].QueueTime);
        Assert.Equal(1_704_067_200_250, trace.Jobs[1].QueuedAtUnixMs);
        Assert.Null(trace.Jobs[1].Scope);
    }

    [Fact]
    public void Read_WithoutOptionalColumns_LeavesStartAndScopeEmpty()
    {
        var csv = "labels,duration_s,queued_at\nlinux,60,2024-01-01T00:00:00Z\n";

        var job = Assert.Single(JobCsv.Read(new StringReader(csv), "t.csv").Jobs);

        Assert.Null(job.StartedAt);
        Assert.Null(job.Scope);
        Assert.Equal(60, job.DurationSeconds);
    }

    [Fact]
    public void Read_ManyJobsWithSameLabels_SharesOneLabelSet()
    {
        var csv = Header + "1,,1,linux;gpu,\n2,,1,gpu;linux,\n";

        var trace = JobCsv.Read(new StringReader(csv), "t.csv");

        Assert.Same(trace.Jobs[0].Labels, trace.Jobs[1].Labels);
        Assert.Single(trace.LabelSets);
    }

    [Theory]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,linux,\n2024-01-01T00:00:01Z,,abc,linux,\n", 3, "duration_s", "jobs.csv:3: column 'duration_s': 'abc' is not a number")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,-5,linux,\n", 2, "duration_s", "jobs.csv:2: column 'duration_s': '-5' is negative")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,NaN,linux,\n", 2, "duration_s", "jobs.csv:2: column 'duration_s': 'NaN' is not a number")]
    [InlineData(Header + "\n# comment\nyesterday,,60,linux,\n", 4, "queued_at", "jobs.csv:4: column 'queued_at': 'yesterday' is not a timestamp (ISO-8601 or Unix seconds)")]
    [InlineData(Header + ",,60,linux,\n", 2, "queued_at", "jobs.csv:2: column 'queued_at': '' is not a timestamp (ISO-8601 or Unix seconds)")]
    [InlineData(Header + "2024-01-01T00:00:00Z,2024-13-01T00:00:00Z,60,linux,\n", 2, "started_at", "jobs.csv:2: column 'started_at': '2024-13-01T00:00:00Z' is not a timestamp (ISO-8601 or Unix seconds)")]
    [InlineData(Header + "2024-01-01T00:00:10Z,2024-01-01T00:00:00Z,60,linux,\n", 2, "started_at", "jobs.csv:2: column 'started_at': '2024-01-01T00:00:00Z' is before queued_at")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,\"a\"\"b\",\n", 2, "labels", "jobs.csv:2: column 'labels': 'a\"b' is not a label list")]
    public void Read_MalformedValue_ReportsFileLineAndColumn(string csv, int line, string column, string message)
    {
        var error = Assert.Throws<TraceFormatException>(() => JobCsv.Read(new StringReader(csv), "jobs.csv"));

        Assert.Equal("jobs.csv", error.File);
        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,linux\n", 2, "expected 5 columns")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,linux,a,b\n", 2, "expected 5 columns")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,linux,\"org/repo\n", 2, "quoted field is not closed")]
    [InlineData(Header + "2024-01-01T00:00:00Z,,60,linux,\"org\"x\n", 2, "unexpected text after a closing quote")]
    [InlineData("queued_at,duration_s\n", 1, "missing column 'labels'")]
    [InlineData("queued_at,duration,labels\n", 1, "unknown column 'duration'")]
    [InlineData("queued_at,labels,labels,duration_s\n", 1, "a column is named twice")]
    [InlineData("# only a comment\n\n", 0, "the file is empty")]
    public void Read_MalformedRow_ReportsLineWithoutColumn(string csv, int line, string problem)
    {
        var error = Assert.Throws<TraceFormatException>(() => JobCsv.Read(new StringReader(csv), "jobs.csv"));

        Assert.Equal(line, error.Line);
        Assert.Null(error.Column);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_FileWithBadLastRow_ThrowsNamingThePathAndReturnsNothing()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-jobs-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, Header + "2024-01-01T00:00:00Z,,60,linux,\n2024-01-01T00:01:00Z,,60,linux,\n2024-01-01T00:02:00Z,,1h,linux,\n");
        try
        {
            Trace? loaded = null;
            var error = Assert.Throws<TraceFormatException>(() => loaded = TraceReader.Load(path));

            Assert.Null(loaded);
            Assert.Equal($"{path}:4: column 'duration_s': '1h' is not a number", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
