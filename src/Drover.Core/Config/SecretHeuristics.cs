using System.Text.RegularExpressions;

namespace Drover.Core.Config;

/// <summary>Recognises settings keys that name a secret and values that look like a credential pasted inline.</summary>
internal static partial class SecretHeuristics
{
    private static readonly string[] _secretWords = ["token", "secret", "password", "passwd", "credential"];

    private static readonly (string Prefix, string Kind)[] _valuePrefixes =
    [
        ("ghp_", "GitHub personal access token"),
        ("gho_", "GitHub OAuth token"),
        ("ghu_", "GitHub user token"),
        ("ghs_", "GitHub installation token"),
        ("ghr_", "GitHub refresh token"),
        ("github_pat_", "GitHub fine-grained token"),
        ("glpat-", "GitLab personal access token"),
        ("glrt-", "GitLab runner token"),
        ("gldt-", "GitLab deploy token"),
        ("-----BEGIN", "PEM key"),
    ];

    /// <summary>
    /// True when a settings key names a secret: it contains token, secret, password or credential, or its last word
    /// is "key" (<c>apiKey</c>, <c>private_key</c>; but not <c>keyName</c>), all case-insensitive.
    /// </summary>
    public static bool IsSecretKey(string key)
    {
        if (_secretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        return key.Equals("key", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith("Key", StringComparison.Ordinal)
            || key.EndsWith("_key", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith("-key", StringComparison.OrdinalIgnoreCase)
            || key.EndsWith(".key", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>What kind of credential <paramref name="value"/> looks like, or null when it looks like none.</summary>
    public static string? DescribeInlineSecret(string value)
    {
        var text = value.TrimStart();
        foreach (var (prefix, kind) in _valuePrefixes)
        {
            if (text.StartsWith(prefix, StringComparison.Ordinal))
            {
                return kind;
            }
        }

        return AwsAccessKey().IsMatch(text) ? "AWS access key" : null;
    }

    [GeneratedRegex("^(AKIA|ASIA)[0-9A-Z]{16}$")]
    private static partial Regex AwsAccessKey();
}
