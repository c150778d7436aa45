namespace Drover.Core.Adapters;

/// <summary>
/// How a forge's webhooks arrive, so the server has one generic webhook endpoint and knows no forge:
/// <c>POST /webhooks/{Route}/{forge name}</c>.
/// </summary>
/// <param name="Route">The route segment, e.g. <c>github</c>.</param>
/// <param name="DeliveryIdHeaders">Headers that carry the delivery id, first present wins.</param>
/// <param name="EventHeader">The header that names the event, kept for the dashboard and logs.</param>
/// <param name="KeptHeaders">Request headers stored with the delivery (what <see cref="IWebhookReceiver.InterpretAsync"/> may read).</param>
public sealed record WebhookProtocol(string Route, IReadOnlyList<string> DeliveryIdHeaders, string EventHeader, IReadOnlyList<string> KeptHeaders);
