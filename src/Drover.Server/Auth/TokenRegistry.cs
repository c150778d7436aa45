using System.Security.Cryptography;
using System.Text;
using Drover.Core.Config;

namespace Drover.Server.Auth;

/// <summary>
/// The API tokens, kept only as SHA-256 hashes. A presented token is hashed and compared with every configured
/// hash in constant time, so neither the match nor its position leaks through timing.
/// </summary>
public sealed class TokenRegistry
{
    private readonly IReadOnlyList<ApiToken> _tokens;

    /// <param name="tokens">The configured tokens; names must be unique.</param>
    public TokenRegistry(IEnumerable<ApiToken> tokens)
    {
        _tokens = [.. tokens];
        var duplicate = _tokens.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"two API tokens are named '{duplicate.Key}'", nameof(tokens));
        }
    }

    /// <summary>How many tokens are configured.</summary>
    public int Count => _tokens.Count;

    /// <summary>The hash a token value is kept as.</summary>
    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>The token whose value is <paramref name="presented"/>, or null.</summary>
    public ApiToken? Find(string presented)
    {
        var hash = Hash(presented);
        ApiToken? found = null;
        foreach (var token in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, token.Hash))
            {
                found = token;
            }
        }

        return found;
    }

    /// <summary>
    /// Parses <c>NAME:ROLE:REF</c> (e.g. <c>grafana:viewer:env:GRAFANA_TOKEN</c>), reads the secret the reference
    /// names and keeps only its hash. Errors name the token and the reference, never the value.
    /// </summary>
    public static ApiToken FromSpec(string spec, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(environment);
        var parts = spec.Split(':', 3);
        if (parts.Length != 3 || parts[0].Length == 0)
        {
            throw new FormatException($"--api-token '{spec}': expected NAME:ROLE:env:VARIABLE or NAME:ROLE:file:/path");
        }

        if (!Enum.TryParse<ApiRole>(parts[1], ignoreCase: true, out var role) || !Enum.IsDefined(role))
        {
            throw new FormatException($"--api-token '{parts[0]}': unknown role '{parts[1]}'; roles: viewer, operator, admin");
        }

        if (!SecretRef.TryParse(parts[2], out var reference) || reference is null)
        {
            throw new FormatException($"--api-token '{parts[0]}': '{parts[2]}' is not a secret reference (env:NAME or file:/path)");
        }

        var value = reference.Source == SecretSource.Env ? environment(reference.Location) : ReadFile(parts[0], reference.Location);
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            throw new FormatException($"--api-token '{parts[0]}': {reference} is empty or not set");
        }

        return new ApiToken(parts[0], role, Hash(value));
    }

    private static string ReadFile(string name, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"--api-token '{name}': cannot read file:{path}: {e.Message}", e);
        }
    }
}
