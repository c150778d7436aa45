using Drover.Engine.Loop;
using Microsoft.Extensions.Hosting;

namespace Drover.Server.History;

/// <summary>
/// Takes a <see cref="FleetSample"/> of the loop's snapshot every <see cref="FleetHistory.Interval"/> into the
/// <see cref="FleetHistory"/>, on the leader and on followers alike (a follower samples its view of the store). Reads
/// only the in-memory snapshot: no store or adapter calls.
/// </summary>
internal sealed class HistorySampler(ControlLoop loop, FleetHistory history, TimeProvider time) : BackgroundService
{
    /// <summary>Takes one sample now, unless no cycle or view has run yet (nothing to show).</summary>
    public void SampleNow()
    {
        var snapshot = loop.Snapshot;
        if (snapshot.At is not null)
        {
            history.Add(FleetSample.Of(snapshot, time.GetUtcNow()));
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(history.Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                SampleNow();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
