namespace Drover.Forges.GitHub.Api;

/// <summary>Reads the <c>Link</c> header GitHub paginates with: <c>&lt;url&gt;; rel="next", &lt;url&gt;; rel="last"</c>.</summary>
internal static class LinkHeader
{
    /// <summary>The URL of relation <paramref name="rel"/> (e.g. <c>next</c>), or null.</summary>
    public static string? Find(string? header, string rel)
    {
        if (string.IsNullOrEmpty(header))
        {
            return null;
        }

        foreach (var part in header.Split(','))
        {
            var segments = part.Split(';');
            var target = segments[0].Trim();
            if (target.Length < 2 || target[0] != '<' || target[^1] != '>')
            {
                continue;
            }

            foreach (var parameter in segments.Skip(1))
            {
                var p = parameter.Trim();
                if (p.StartsWith("rel=", StringComparison.OrdinalIgnoreCase)
                    && p[4..].Trim('"').Split(' ').Contains(rel, StringComparer.OrdinalIgnoreCase))
                {
                    return target[1..^1];
                }
            }
        }

        return null;
    }
}
