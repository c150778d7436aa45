using System.Security.Cryptography;
using System.Text;

namespace Drover.Providers.Kubernetes;

/// <summary>Object names and label values the API server accepts, derived deterministically from Drover's names.</summary>
internal static class KubernetesNames
{
    /// <summary>Label: managed by Drover.</summary>
    public const string ManagedBy = "app.kubernetes.io/managed-by";

    /// <summary>Label: the controller id of the fleet that owns the object.</summary>
    public const string Controller = "drover.dev/controller";

    /// <summary>Label: the pool.</summary>
    public const string Pool = "drover.dev/pool";

    /// <summary>Label: the runner (its idempotency key, shortened to a label value when too long).</summary>
    public const string Runner = "drover.dev/runner";

    /// <summary>Label: the provider (cluster) name in the fleet.</summary>
    public const string Provider = "drover.dev/provider";

    /// <summary>Annotation: the runner's full idempotency key.</summary>
    public const string IdempotencyKey = "drover.dev/idempotency-key";

    /// <summary>True when <paramref name="name"/> is an RFC 1123 label: lowercase alphanumerics and '-', 1-63, alphanumeric at both ends.</summary>
    public static bool IsLabel(string name) =>
        name.Length is > 0 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>
    /// The pod (and secret) name of the runner with <paramref name="idempotencyKey"/>: the key itself when it is a valid
    /// label, else its first characters and a hash of the whole, so two keys never share a name.
    /// </summary>
    public static string ForKey(string idempotencyKey)
    {
        ArgumentException.ThrowIfNullOrEmpty(idempotencyKey);
        if (IsLabel(idempotencyKey))
        {
            return idempotencyKey;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)))[..10];
        var cleaned = new string([.. idempotencyKey.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        var head = cleaned.Length > 52 ? cleaned[..52].TrimEnd('-') : cleaned;
        return head.Length == 0 ? "r-" + hash : $"{head}-{hash}";
    }

    /// <summary>The cache claim of a pool.</summary>
    public static string CacheClaim(string pool) => ForKey("drover-cache-" + pool);
}
