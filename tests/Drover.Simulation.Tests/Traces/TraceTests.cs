using Drover.Core.Traces;
using Drover.Simulation.Traces;

namespace Drover.Simulation.Tests.Traces;

public sealed class TraceTests
{
    private static readonly LabelSet _linux = LabelSet.Create(["linux"]);
    private static readonly LabelSet _windows = LabelSet.Create(["windows"]);

    [Fact]
    public void Constructor_UnsortedJobs_SortsByQueueTimeKeepingTiesInOrder()
    {
        var jobs = new[]
        {
            new TraceJob(3000, null, 1, _linux, "c"),
            new TraceJob(1000, null, 1, _linux, "a"),
            new TraceJob(3000, null, 2, _windows, "d"),
            new TraceJob(2000, null, 1, _linux, "b"),
        };

        var trace = new Trace("t", "test", jobs);

        Assert.Equal(["a", "b", "c", "d"], trace.Jobs.Select(j => j.Scope));
        Assert.Equal(TimeSpan.FromSeconds(2), trace.Span);
        Assert.Equal([_linux, _windows], trace.LabelSets);
    }

    [Fact]
    public void Constructor_Empty_HasNoStartAndZeroSpan()
    {
        var trace = new Trace("t", "test", []);

        Assert.Equal(0, trace.Count);
        Assert.Null(trace.Start);
        Assert.Equal(TimeSpan.Zero, trace.Span);
        Assert.Equal("t: 0 jobs", trace.Summary());
    }

    [Fact]
    public void TraceJob_StartedBeforeQueued_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceJob(2000, 1000, 1, _linux));
    }

    [Fact]
    public void TraceJob_NegativeDuration_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TraceJob(2000, null, -1, _linux));
    }

    [Fact]
    public void TraceJob_StartedAt_GivesQueueTime()
    {
        var job = new TraceJob(DateTimeOffset.FromUnixTimeSeconds(100), DateTimeOffset.FromUnixTimeSeconds(107), 5, _linux);

        Assert.Equal(TimeSpan.FromSeconds(7), job.QueueTime);
        Assert.Null(new TraceJob(0, null, 5, _linux).QueueTime);
    }
}
