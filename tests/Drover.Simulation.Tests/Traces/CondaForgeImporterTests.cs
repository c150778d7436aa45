using Drover.Simulation.Traces;

using Drover.Testing;

namespace Drover.Simulation.Tests.Traces;

public sealed class CondaForgeImporterTests
{
    private const string FileName = "conda-forge-github-actions-2024.csv";

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealSeries_HasEveryCountedJobOver366Days()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));

        Assert.Equal(1_045_475, trace.Count);
        Assert.Equal(366, (int)trace.Span.TotalDays);
        Assert.Equal(366, trace.Jobs.Select(j => j.QueuedAt.UtcDateTime.Date).Where(d => d.Year == 2024).Distinct().Count());
        Assert.Equal("linux", Assert.Single(trace.LabelSets).Text);
        Assert.All(trace.Jobs, j => Assert.Null(j.StartedAt));
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealSeries_MatchesThePlanningScenarioExpansion()
    {
        var path = SharedData.TracePath(FileName);
        var trace = CondaForgeImporter.Load(path);
        var series = RateSeriesReader.Read(new StreamReader(path), path, TimeSpan.FromMinutes(5), CondaForgeImporter.BinStartColumn, CondaForgeImporter.CountColumn);

        var perBin = trace.Jobs.GroupBy(j => j.QueuedAtUnixMs / 300_000 * 300_000).ToDictionary(g => g.Key, g => g.Count());
        Assert.All(series.Bins, bin => Assert.Equal(bin.Count, perBin.GetValueOrDefault(bin.StartUnixMs)));
        Assert.Equal(279, perBin.Values.Max());

        var durations = trace.Jobs.Select(j => j.DurationSeconds).Order().ToArray();
        Assert.InRange(durations[durations.Length / 2], 297, 303);
        Assert.InRange(durations.Average(), 490, 500);
        Assert.True(durations[^1] <= 6 * 3600);
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealSeries_LeavesTheMonitorGapEmpty()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));
        var gapFrom = new DateTimeOffset(2024, 2, 17, 1, 30, 0, TimeSpan.Zero);
        var gapTo = new DateTimeOffset(2024, 2, 17, 12, 55, 0, TimeSpan.Zero);

        Assert.DoesNotContain(trace.Jobs, j => j.QueuedAt >= gapFrom && j.QueuedAt < gapTo);
        Assert.Contains(trace.Notes, n => n.Contains("no rows from 2024-02-17T01:30Z to 2024-02-17T12:55Z", StringComparison.Ordinal));
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealSeries_NotesSayCompletionsAreArrivalsAndDurationsSynthetic()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));

        Assert.Contains(trace.Notes, n => n.Contains("counts completed jobs", StringComparison.Ordinal) && n.Contains("treated as an arrival within its bin", StringComparison.Ordinal));
        Assert.Contains(trace.Notes, n => n.StartsWith("Durations are synthetic: lognormal median 300 s, sigma 1.0, capped at 21600 s", StringComparison.Ordinal));
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_SameSeedTwice_GivesIdenticalTraces()
    {
        var path = SharedData.TracePath(FileName);

        var a = TraceReader.Load(path, new TraceLoadOptions { Seed = 1 });
        var b = TraceReader.Load(path, new TraceLoadOptions { Seed = 1 });
        var c = TraceReader.Load(path, new TraceLoadOptions { Seed = 2 });

        Assert.True(a.JobSpan.SequenceEqual(b.JobSpan));
        Assert.False(a.JobSpan.SequenceEqual(c.JobSpan));
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_ShiftBack_KeepsCountAndMovesArrivalsEarlier()
    {
        var path = SharedData.TracePath(FileName);

        var within = TraceReader.Load(path);
        var shifted = TraceReader.Load(path, new TraceLoadOptions { Placement = ArrivalPlacement.ShiftBackByDuration });

        Assert.Equal(within.Count, shifted.Count);
        Assert.True(shifted.Start < within.Start);
        Assert.Contains(shifted.Notes, n => n.Contains("shifted back by its drawn duration", StringComparison.Ordinal));
        for (var i = 1; i < shifted.Count; i++)
        {
            Assert.True(shifted.JobSpan[i - 1].QueuedAtUnixMs <= shifted.JobSpan[i].QueuedAtUnixMs);
        }
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealSeries_StaysWellUnder300MegabytesOnTheHeap()
    {
        var path = SharedData.TracePath(FileName);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var trace = TraceReader.Load(path);
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(1_045_475, trace.Count);
        Assert.InRange(after - before, 0, 100L * 1024 * 1024);
    }

    [SharedDataFact(SharedData.Traces)]
    public void WriteThenRead_RealSeries_RoundTripsThroughJobCsv()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));
        var path = Path.Combine(Path.GetTempPath(), $"drover-conda-{Guid.NewGuid():N}.csv");
        try
        {
            JobCsv.Write(trace, path);
            var read = TraceReader.Load(path);

            Assert.True(trace.JobSpan.SequenceEqual(read.JobSpan));
            Assert.Equal(trace.Notes, read.Notes);
            Assert.Equal(trace.Name, read.Name);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
