using System.Text;
using System.Text.Json;
using Drover.Core.Ports;

namespace Drover.Engine.Loop;

/// <summary>
/// What one cycle's <see cref="DeliveryIntake"/> decided about the deliveries it took, written with the jobs they
/// changed (<see cref="WriteAsync"/>).
/// </summary>
/// <param name="At">When the cycle took them.</param>
/// <param name="More">Whether the batch was full, so more may be waiting.</param>
/// <param name="Actor">The actor quarantine events are written under.</param>
internal sealed record DeliveryOutcomes(DateTimeOffset At, bool More, string Actor)
{
    /// <summary>Interpreted, or nothing to interpret: marked processed.</summary>
    public List<WebhookDelivery> Done { get; } = [];

    /// <summary>Failed, to be tried again at <c>RetryAt</c>.</summary>
    public List<(WebhookDelivery Delivery, string Reason, DateTimeOffset RetryAt)> Failed { get; } = [];

    /// <summary>Given up on: quarantined with the reason.</summary>
    public List<(WebhookDelivery Delivery, string Reason)> Quarantined { get; } = [];

    /// <summary>Whether anything is to be written.</summary>
    public bool Any => Done.Count > 0 || Failed.Count > 0 || Quarantined.Count > 0;

    /// <summary>
    /// Marks the done deliveries processed, records the failures, quarantines the given-up ones with an event each,
    /// and forgets processed and quarantined deliveries older than their retention, inside the caller's transaction.
    /// </summary>
    public async Task WriteAsync(IStateWriter writer, CancellationToken cancellationToken)
    {
        foreach (var delivery in Done)
        {
            await writer.MarkDeliveryProcessedAsync(delivery.Forge, delivery.DeliveryId, At, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (delivery, reason, retryAt) in Failed)
        {
            await writer.RecordDeliveryFailureAsync(delivery.Forge, delivery.DeliveryId, reason, retryAt, cancellationToken).ConfigureAwait(false);
        }

        foreach (var (delivery, reason) in Quarantined)
        {
            if (await writer.QuarantineDeliveryAsync(delivery.Forge, delivery.DeliveryId, reason, At, cancellationToken).ConfigureAwait(false))
            {
                await writer.AppendEventAsync(
                    new NewEvent(At, Actor, EventKinds.WebhookDeliveryQuarantined, $"{delivery.Forge}/{delivery.DeliveryId}", reason, Data(delivery)),
                    cancellationToken).ConfigureAwait(false);
            }
        }

        await writer.DeleteProcessedDeliveriesAsync(At - DeliveryIntake.Retention, cancellationToken).ConfigureAwait(false);
        await writer.DeleteQuarantinedDeliveriesAsync(At - DeliveryIntake.QuarantineRetention, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The event's data: <c>{"forge", "deliveryId", "attempts"}</c>.</summary>
    private static string Data(WebhookDelivery delivery)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            writer.WriteString("forge", delivery.Forge);
            writer.WriteString("deliveryId", delivery.DeliveryId);
            writer.WriteNumber("attempts", delivery.Attempts + 1);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(json.ToArray());
    }
}
