using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>
/// Runs the replica: while it holds the leader lease, the control loop (after its start-up reconciliation), every
/// demand source, the watch for webhook deliveries stored by other replicas, and scheduled backups; while it follows,
/// a read-only refresh of the view its API serves. On a graceful shutdown the leader, once its cycles have stopped,
/// drains (<see cref="ControlLoop.DrainForShutdownAsync"/>) within <see cref="DrainTimeout"/> before the election
/// releases the lease.
/// </summary>
internal sealed class ControlPlaneService(ControlLoop loop, LeaderElection election, IStateStore store, BackupScheduler backups, ServerOptions options, TimeProvider time, ILogger logger) : BackgroundService
{
    private CancellationToken _stopping;

    /// <summary>
    /// The time the leader's shutdown drain may take: inside the shutdown timeout (2 s left for the rest), and inside
    /// what is left of the lease after its last renewal, since the lease is not renewed during the drain.
    /// </summary>
    public TimeSpan DrainTimeout
    {
        get
        {
            var withinShutdown = options.ShutdownTimeout - TimeSpan.FromSeconds(2);
            var withinLease = options.Leadership.LeaseDuration - options.Leadership.RetryInterval;
            var limit = withinShutdown < withinLease ? withinShutdown : withinLease;
            return limit > TimeSpan.Zero ? limit : TimeSpan.Zero;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        return election.RunAsync(LeadAsync, loop.RefreshViewAsync, stoppingToken);
    }

    private async Task LeadAsync(CancellationToken term)
    {
        await loop.StartAsync(term).ConfigureAwait(false);
        var running = new List<Task> { loop.RunAsync(term), WatchDeliveriesAsync(term), backups.RunAsync(term) };
        running.AddRange(loop.Adapters.DemandSources.Select(source => source.RunAsync(loop.Ingest, term)));
        try
        {
            await Task.WhenAll(running).ConfigureAwait(false);
        }
        finally
        {
            if (_stopping.IsCancellationRequested)
            {
                await DrainAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Shutting down as leader: ends what no other replica can adopt, bounded by <see cref="DrainTimeout"/>.</summary>
    private async Task DrainAsync()
    {
        var limit = DrainTimeout;
        using var timeout = new CancellationTokenSource(limit, time);
        try
        {
            await loop.DrainForShutdownAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            HostingLog.ShutdownDrainTimedOut(logger, limit.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            HostingLog.ShutdownDrainFailed(logger, e.GetType().Name, e.Message);
        }
    }

    /// <summary>
    /// Wakes the loop when another replica has stored a delivery (this replica's own wake it directly), or a failed one's
    /// retry is due; deliveries waiting out a retry delay or quarantined do not wake it.
    /// </summary>
    private async Task WatchDeliveriesAsync(CancellationToken term)
    {
        while (!term.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.DeliveryPollInterval, time, term).ConfigureAwait(false);
                if ((await store.ListUnprocessedDeliveriesAsync(1, time.GetUtcNow(), term).ConfigureAwait(false)).Count > 0)
                {
                    loop.Wake();
                }
            }
            catch (OperationCanceledException) when (term.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The loop's own cycle reports an unreachable store; this watch just tries again.
            }
        }
    }
}
