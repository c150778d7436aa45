using System.Text.Json;

namespace Drover.Core.Adapters;

/// <summary>What a forge says of a webhook request before it is stored: accept it, or refuse it with a status and a reason.</summary>
/// <param name="Status">0 when accepted; else the HTTP status to answer with (401 unauthenticated, 400 malformed).</param>
/// <param name="Problem">Why it was refused; safe to return to the caller (never contains a secret).</param>
public sealed record WebhookVerdict(int Status, string? Problem)
{
    /// <summary>The delivery is authentic and may be stored.</summary>
    public static WebhookVerdict Accepted { get; } = new(0, null);

    /// <summary>True when the delivery may be stored.</summary>
    public bool IsAccepted => Status == 0;

    /// <summary>Missing or wrong signature or token: 401.</summary>
    public static WebhookVerdict Unauthorized(string problem) => new(401, problem);

    /// <summary>Authentic but unreadable: 400.</summary>
    public static WebhookVerdict Malformed(string problem) => new(400, problem);

    /// <summary>Accepted when <paramref name="body"/> is well-formed JSON; else 400 with the line and byte where it breaks.</summary>
    public static WebhookVerdict AcceptedIfJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            while (reader.Read())
            {
            }
        }
        catch (JsonException e)
        {
            return Malformed($"body: not JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        return Accepted;
    }
}
