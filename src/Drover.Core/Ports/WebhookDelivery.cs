namespace Drover.Core.Ports;

/// <summary>A raw webhook delivery as received, kept until the demand pipeline has processed it.</summary>
public sealed record WebhookDelivery
{
    public required string Forge { get; init; }

    /// <summary>The forge's delivery id (e.g. X-GitHub-Delivery); unique per forge.</summary>
    public required string DeliveryId { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>The request headers as a JSON object; secrets (signatures, tokens) are the caller's to strip.</summary>
    public required string HeadersJson { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    public DateTimeOffset? ProcessedAt { get; init; }
}
