using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Turns stored webhook deliveries into job events at the start of a cycle. A delivery is marked processed in the same
/// transaction that writes the jobs it changed, so both are stored or neither (and then it is processed again; the
/// ledger ignores a repeat).
/// A delivery whose payload cannot be read is marked processed and logged; one that failed for another reason (a forge
/// API call it needed) stays for the next cycle.
/// </summary>
internal sealed class DeliveryIntake(ExecutionServices services)
{
    /// <summary>At most this many deliveries are taken per cycle; the rest wait for the next one, which comes at once.</summary>
    public const int BatchSize = 500;

    /// <summary>Interprets waiting deliveries into <paramref name="sink"/>; returns those to mark processed with the jobs.</summary>
    public async Task<(IReadOnlyList<WebhookDelivery> Done, bool More)> CollectAsync(Action<JobEvent> sink, CancellationToken cancellationToken)
    {
        var waiting = await services.Store.ListUnprocessedDeliveriesAsync(BatchSize, cancellationToken).ConfigureAwait(false);
        var done = new List<WebhookDelivery>(waiting.Count);
        foreach (var delivery in waiting)
        {
            if (services.Adapters.Forge(delivery.Forge) is not IWebhookReceiver receiver)
            {
                services.Metrics.WebhookDelivery(delivery.Forge, "ignored");
                done.Add(delivery);
                continue;
            }

            try
            {
                var events = await receiver.InterpretAsync(delivery, cancellationToken).ConfigureAwait(false);
                foreach (var e in events)
                {
                    sink(e);
                }

                services.Metrics.WebhookDelivery(delivery.Forge, events.Count > 0 ? "processed" : "ignored");
                done.Add(delivery);
            }
            catch (FormatException e)
            {
                EngineLog.DeliveryUnreadable(services.Logger, delivery.Forge, delivery.DeliveryId, e.Message);
                services.Metrics.WebhookDelivery(delivery.Forge, "unreadable");
                done.Add(delivery);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                EngineLog.DeliveryRetry(services.Logger, delivery.Forge, delivery.DeliveryId, e.GetType().Name);
                services.Metrics.WebhookDelivery(delivery.Forge, "retry");
            }
        }

        return (done, waiting.Count == BatchSize);
    }

    /// <summary>
    /// How long a processed delivery is kept: a forge's redelivery of the same id within this time is answered as a
    /// duplicate without being stored again. Later ones are stored and reprocessed; the ledger ignores the repeat.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// Marks deliveries processed, and forgets those processed longer than <see cref="Retention"/> ago, inside the
    /// caller's transaction — the one that writes the jobs the deliveries changed.
    /// </summary>
    public static async Task MarkProcessedAsync(IStateWriter writer, IReadOnlyList<WebhookDelivery> deliveries, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var delivery in deliveries)
        {
            await writer.MarkDeliveryProcessedAsync(delivery.Forge, delivery.DeliveryId, now, cancellationToken).ConfigureAwait(false);
        }

        await writer.DeleteProcessedDeliveriesAsync(now - Retention, cancellationToken).ConfigureAwait(false);
    }
}
