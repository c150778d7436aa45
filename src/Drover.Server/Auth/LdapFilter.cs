using System.Text;

namespace Drover.Server.Auth;

/// <summary>
/// LDAP search filters and DNs as Drover handles them: a configured filter template with <c>{user}</c> / <c>{dn}</c>
/// placeholders, every substituted value escaped as RFC 4515 requires (so a user name cannot change the filter), and the
/// checks of templates and DNs made at start-up.
/// </summary>
internal static class LdapFilter
{
    /// <summary>
    /// <paramref name="value"/> as an RFC 4515 assertion value: <c>*</c>, <c>(</c>, <c>)</c>, <c>\</c> and NUL become
    /// <c>\2a</c>, <c>\28</c>, <c>\29</c>, <c>\5c</c> and <c>\00</c>; everything else (UTF-8 included) stays.
    /// </summary>
    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '*' => "\\2a",
                '(' => "\\28",
                ')' => "\\29",
                '\\' => "\\5c",
                '\0' => "\\00",
                _ => c.ToString(),
            });
        }

        return builder.ToString();
    }

    /// <summary>The template with each <c>{name}</c> replaced by its value, escaped.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        var result = template;
        foreach (var (name, value) in values)
        {
            result = result.Replace("{" + name + "}", Escape(value), StringComparison.Ordinal);
        }

        return result;
    }

    /// <summary>
    /// What is wrong with a filter template, or null: it must be one parenthesised filter with balanced parentheses
    /// and no placeholder but <paramref name="placeholders"/>.
    /// </summary>
    public static string? TemplateProblem(string template, IReadOnlyList<string> placeholders)
    {
        ArgumentNullException.ThrowIfNull(placeholders);
        if (string.IsNullOrWhiteSpace(template) || template[0] != '(' || template[^1] != ')')
        {
            return "must be one filter in parentheses, e.g. (uid={user})";
        }

        var depth = 0;
        for (var i = 0; i < template.Length; i++)
        {
            switch (template[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    if (depth < 0 || (depth == 0 && i != template.Length - 1))
                    {
                        return "its parentheses are not balanced around one filter";
                    }

                    break;
                case '{':
                    var end = template.IndexOf('}', i);
                    var name = end > i ? template[(i + 1)..end] : null;
                    if (name is null || !placeholders.Contains(name, StringComparer.Ordinal))
                    {
                        return $"unknown placeholder at column {i + 1}; it may use {string.Join(" and ", placeholders.Select(p => "{" + p + "}"))}";
                    }

                    i = end;
                    break;
                case '}':
                    return $"a '}}' without '{{' at column {i + 1}";
            }
        }

        return depth == 0 ? null : "its parentheses are not balanced around one filter";
    }

    /// <summary>What is wrong with a distinguished name, or null: it must be <c>attr=value</c> parts separated by commas.</summary>
    public static string? DnProblem(string dn)
    {
        if (string.IsNullOrWhiteSpace(dn))
        {
            return "must not be empty";
        }

        foreach (var rdn in SplitRdns(dn))
        {
            var equals = rdn.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || rdn[..equals].Trim().Length == 0)
            {
                return $"'{rdn.Trim()}' is not attribute=value; a DN looks like ou=people,dc=example,dc=com";
            }
        }

        return null;
    }

    /// <summary>The value of a DN's first RDN, unescaped: <c>drover-admins</c> for <c>cn=drover-admins,ou=groups,dc=example,dc=com</c>.</summary>
    public static string? FirstRdnValue(string dn)
    {
        if (string.IsNullOrEmpty(dn))
        {
            return null;
        }

        var first = SplitRdns(dn).First();
        var equals = first.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            return null;
        }

        var raw = first[(equals + 1)..].Trim();
        var builder = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '\\' && i + 1 < raw.Length)
            {
                i++;
            }

            builder.Append(raw[i]);
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    /// <summary>A DN's RDNs, split at commas that are not escaped with a backslash.</summary>
    private static IEnumerable<string> SplitRdns(string dn)
    {
        var start = 0;
        for (var i = 0; i < dn.Length; i++)
        {
            if (dn[i] == '\\')
            {
                i++;
            }
            else if (dn[i] == ',')
            {
                yield return dn[start..i];
                start = i + 1;
            }
        }

        yield return dn[start..];
    }
}
