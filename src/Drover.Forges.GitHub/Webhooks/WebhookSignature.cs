using System.Security.Cryptography;
using System.Text;

namespace Drover.Forges.GitHub.Webhooks;

/// <summary>GitHub's <c>X-Hub-Signature-256</c>: <c>sha256=</c> and the lower-case hex HMAC-SHA256 of the raw body.</summary>
internal static class WebhookSignature
{
    /// <summary>The header GitHub signs deliveries in.</summary>
    public const string Header = "X-Hub-Signature-256";

    private const string Prefix = "sha256=";

    /// <summary>The header value for <paramref name="body"/> signed with <paramref name="secret"/>.</summary>
    public static string Sign(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> body) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// <summary>The header value for <paramref name="body"/> signed with <paramref name="secret"/>.</summary>
    public static string Sign(string secret, ReadOnlySpan<byte> body) => Sign(Encoding.UTF8.GetBytes(secret), body);

    /// <summary>
    /// Null when <paramref name="header"/> is a valid signature of <paramref name="body"/>; otherwise what is wrong
    /// (safe to return to the caller). The comparison takes the same time wherever the digests differ.
    /// </summary>
    public static string? Check(ReadOnlySpan<byte> secret, string? header, ReadOnlySpan<byte> body)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return $"header {Header}: missing; configure the webhook with a secret";
        }

        var value = header.Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + 64)
        {
            return $"header {Header}: not of the form sha256=<64 hex digits>";
        }

        Span<byte> given = stackalloc byte[32];
        if (Convert.FromHexString(value.AsSpan(Prefix.Length), given, out _, out var written) != System.Buffers.OperationStatus.Done || written != 32)
        {
            return $"header {Header}: not of the form sha256=<64 hex digits>";
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(secret, body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, given)
            ? null
            : $"header {Header}: signature does not match the body (wrong webhook secret?)";
    }
}
