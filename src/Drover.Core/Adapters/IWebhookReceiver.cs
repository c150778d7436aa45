using Drover.Core.Demand;
using Drover.Core.Ports;

namespace Drover.Core.Adapters;

/// <summary>
/// A forge that takes webhooks. <see cref="Verify"/> runs on the request path of every replica before anything is
/// stored; <see cref="InterpretAsync"/> runs later, on the leader, for each stored delivery. A forge without it has
/// its deliveries stored and marked processed without effect.
/// </summary>
public interface IWebhookReceiver
{
    /// <summary>Checks a request's authenticity (signature, token) and basic shape. Must not block or call out.</summary>
    /// <param name="header">Looks a request header up by name (case-insensitive); null when absent.</param>
    /// <param name="body">The raw body.</param>
    WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body);

    /// <summary>The job events a stored delivery means; empty for events Drover does not act on.</summary>
    /// <exception cref="FormatException">
    /// The payload cannot be read: the delivery is quarantined at once with the problem. Any other exception counts as a
    /// failed attempt: the delivery is tried again later, and quarantined after a bounded number of failures.
    /// </exception>
    Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// The delivery id of a verified body that came without a delivery-id header (older GitLab sends none), derived from
    /// what the body says so a repeat is still recognised; null when the body does not allow it.
    /// </summary>
    string? DeliveryIdFromBody(ReadOnlySpan<byte> body) => null;
}
