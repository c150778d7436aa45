using Drover.Core.Ports;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Microsoft.Extensions.Hosting;

namespace Drover.Server.Hosting;

/// <summary>
/// Runs the replica: while it holds the leader lease, the control loop (after its start-up reconciliation), every
/// demand source, the watch for webhook deliveries stored by other replicas, and scheduled backups; while it follows,
/// a read-only refresh of the view its API serves.
/// </summary>
internal sealed class ControlPlaneService(ControlLoop loop, LeaderElection election, IStateStore store, BackupScheduler backups, ServerOptions options, TimeProvider time) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        election.RunAsync(LeadAsync, loop.RefreshViewAsync, stoppingToken);

    private async Task LeadAsync(CancellationToken term)
    {
        await loop.StartAsync(term).ConfigureAwait(false);
        var running = new List<Task> { loop.RunAsync(term), WatchDeliveriesAsync(term), backups.RunAsync(term) };
        running.AddRange(loop.Adapters.DemandSources.Select(source => source.RunAsync(loop.Ingest, term)));
        await Task.WhenAll(running).ConfigureAwait(false);
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
