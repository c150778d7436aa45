using Drover.Core.Ports;
using Drover.Storage.Sql;

namespace Drover.Storage.Rows;

/// <summary>Maps <see cref="WebhookDelivery"/> to and from <c>webhook_deliveries</c>.</summary>
internal static class DeliveryRows
{
    public static Dictionary<string, object?> ToRow(WebhookDelivery d) => new()
    {
        ["forge"] = d.Forge,
        ["delivery_id"] = d.DeliveryId,
        ["received_at"] = StoreTime.ToStored(d.ReceivedAt),
        ["headers_json"] = d.HeadersJson,
        ["body"] = d.Body.ToArray(),
        ["processed_at"] = StoreTime.ToStored(d.ProcessedAt),
        ["attempts"] = (long)d.Attempts,
        ["next_attempt_at"] = StoreTime.ToStored(d.NextAttemptAt),
        ["last_failure"] = d.LastFailure,
        ["quarantined_at"] = StoreTime.ToStored(d.QuarantinedAt),
    };

    public static WebhookDelivery FromRow(RowReader row) => new()
    {
        Forge = row.Text("forge"),
        DeliveryId = row.Text("delivery_id"),
        ReceivedAt = row.Time("received_at"),
        HeadersJson = row.Text("headers_json"),
        Body = row.Bytes("body"),
        ProcessedAt = row.TimeOrNull("processed_at"),
        Attempts = row.Int("attempts"),
        NextAttemptAt = row.TimeOrNull("next_attempt_at"),
        LastFailure = row.TextOrNull("last_failure"),
        QuarantinedAt = row.TimeOrNull("quarantined_at"),
    };
}
