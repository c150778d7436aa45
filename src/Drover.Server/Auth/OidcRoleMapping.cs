namespace Drover.Server.Auth;

/// <summary>
/// One rule of the single sign-on role mapping: a user whose roles claim (e.g. <c>groups</c>) holds
/// <paramref name="Value"/> has <paramref name="Role"/>. A user matched by several rules has the highest role.
/// </summary>
/// <param name="Role">The Drover role granted.</param>
/// <param name="Value">The exact claim value (a group or role name as the issuer writes it), compared case-sensitively.</param>
public sealed record OidcRoleMapping(ApiRole Role, string Value)
{
    /// <summary>Parses <c>ROLE=VALUE</c> (e.g. <c>admin=drover-admins</c>); the message names the rule and what is wrong.</summary>
    /// <exception cref="FormatException">Not <c>ROLE=VALUE</c>, an unknown role or an empty value.</exception>
    public static OidcRoleMapping Parse(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var equals = spec.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || equals == spec.Length - 1)
        {
            throw new FormatException($"--oidc-role '{spec}': expected ROLE=VALUE, e.g. admin=drover-admins");
        }

        var role = spec[..equals].Trim();
        if (!Enum.TryParse<ApiRole>(role, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(role, out _))
        {
            throw new FormatException($"--oidc-role '{spec}': unknown role '{role}'; roles: viewer, operator, admin");
        }

        var value = spec[(equals + 1)..].Trim();
        return value.Length == 0
            ? throw new FormatException($"--oidc-role '{spec}': the claim value is empty")
            : new OidcRoleMapping(parsed, value);
    }

    /// <summary>The highest role the claim values map to, or null when none does.</summary>
    public static ApiRole? RoleOf(IReadOnlyList<OidcRoleMapping> mappings, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(mappings);
        ArgumentNullException.ThrowIfNull(values);
        ApiRole? best = null;
        foreach (var value in values)
        {
            foreach (var mapping in mappings)
            {
                if (string.Equals(mapping.Value, value, StringComparison.Ordinal) && (best is null || mapping.Role > best))
                {
                    best = mapping.Role;
                }
            }
        }

        return best;
    }
}
