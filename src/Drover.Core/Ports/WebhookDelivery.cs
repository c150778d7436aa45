namespace Drover.Core.Ports;

/// <summary>
/// A raw webhook delivery as received, kept until the demand pipeline has processed it. One whose interpretation
/// fails is tried again after a delay, a bounded number of times, and then quarantined: kept with the reason, never
/// tried again unless an operator requeues it.
/// </summary>
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

    /// <summary>How many times interpreting it failed.</summary>
    public int Attempts { get; init; }

    /// <summary>When a delivery whose interpretation failed is tried again; null when it is not waiting for a retry.</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>
    /// Why its interpretation last failed, in words (the exception's type and message); never the body or headers.
    /// </summary>
    public string? LastFailure { get; init; }

    /// <summary>When it was quarantined (given up on); null while it is processed or still waiting.</summary>
    public DateTimeOffset? QuarantinedAt { get; init; }
}
