using Drover.Core.Demand;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Tests.Engine;

public class PoolFlowHistoryTests
{
    private static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Arrivals_CountsQueuedInHalfOpenRangeOnly()
    {
        var history = new PoolFlowHistory();
        history.Record("p", T0, JobEventKind.Queued);
        history.Record("p", T0.AddSeconds(10), JobEventKind.Completed);
        history.Record("p", T0.AddSeconds(20), JobEventKind.Queued);

        Assert.Equal(1, history.Arrivals("p", T0, T0.AddSeconds(20)));
        Assert.Equal(2, history.Arrivals("p", T0, T0.AddSeconds(21)));
        Assert.Equal(0, history.Arrivals("other", T0, T0.AddDays(1)));
    }

    [Fact]
    public void CopyFlow_ReturnsRecordsAfterTheWatermarkInOrder()
    {
        var history = new PoolFlowHistory();
        history.Record("p", T0, JobEventKind.Queued);
        history.Record("p", T0.AddSeconds(10), JobEventKind.Cancelled);
        var flow = new List<FlowRecord>();

        history.CopyFlow("p", T0, T0.AddSeconds(10), flow);

        Assert.Equal([new FlowRecord(T0.AddSeconds(10), JobEventKind.Completed)], flow);
    }

    [Fact]
    public void Prune_DropsFlowRecordsBeyondTheHorizon_KeepsArrivalCountsForForecasts()
    {
        var history = new PoolFlowHistory { Horizon = TimeSpan.FromHours(1) };
        history.Record("p", T0, JobEventKind.Queued);
        history.Record("p", T0.AddHours(2), JobEventKind.Queued);

        history.Prune(T0.AddHours(2));

        var flow = new List<FlowRecord>();
        history.CopyFlow("p", T0.AddDays(-1), T0.AddDays(1), flow);
        Assert.Equal([T0.AddHours(2)], flow.Select(f => f.At));
        Assert.Equal(2, history.Arrivals("p", T0, T0.AddDays(1)));
        Assert.Equal(T0, history.FirstArrival("p"));
    }
}
