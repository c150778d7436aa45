using Drover.Simulation.Traces;

using Drover.Testing;

namespace Drover.Simulation.Tests.Traces;

public sealed class TreeherderImporterTests
{
    private const string FileName = "mozilla-treeherder-2013-11-13.csv";

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealExport_Has304JobsWithRealQueueTimes()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));

        Assert.Equal(304, trace.Count);
        Assert.All(trace.Jobs, j => Assert.NotNull(j.QueueTime));
        Assert.Equal(TimeSpan.FromSeconds(1), trace.Jobs.Min(j => j.QueueTime));
        Assert.Equal(TimeSpan.FromSeconds(327), trace.Jobs.Max(j => j.QueueTime));
        Assert.Equal(12, trace.LabelSets.Count);
        Assert.All(trace.Jobs, j => Assert.Equal("mozilla-central", j.Scope));
        Assert.True(trace.Span > TimeSpan.FromHours(5));
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_RealExport_MapsTheFirstRow()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName));

        var job = Assert.Single(trace.Jobs, j => j.QueuedAtUnixMs == 1_384_353_546_000 && j.Labels.Text == "b2g-emu-jb" && j.DurationSeconds == 11436);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_384_353_553), job.StartedAt);
    }

    [SharedDataFact(SharedData.Traces)]
    public void Load_WithOsNameLabel_AddsTheOsFamily()
    {
        var trace = TraceReader.Load(SharedData.TracePath(FileName), new TraceLoadOptions { TreeherderOsNameLabel = true });

        Assert.Contains(trace.LabelSets, s => s.Text == "mac;osx-10-7");
        Assert.All(trace.LabelSets, s => Assert.Equal(2, s.Count));
    }

    [SharedDataFact(SharedData.Traces)]
    public void EmpiricalDurations_FromRealExport_DrawsTreeherderRunTimes()
    {
        var treeherder = TraceReader.Load(SharedData.TracePath(FileName));
        var durations = EmpiricalDurations.FromTrace(treeherder);
        var known = treeherder.Jobs.Select(j => j.DurationSeconds).ToHashSet();
        var random = new Random(1);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.Contains(durations.Sample(random), known));
    }
}
