using Drover.Core.Config;

namespace Drover.Server.Auth;

/// <summary>
/// LDAP group lookup for single sign-on's role mapping (<c>serve --ldap-*</c>, only with <c>--oidc-issuer</c>): the user a
/// token names (<see cref="UserClaim"/>) is searched under <see cref="UserBase"/> with <see cref="UserFilter"/>; their
/// groups are the user entry's <c>memberOf</c> values, or, with <see cref="GroupBase"/>, the entries a group search with
/// <see cref="GroupFilter"/> finds. Those groups then go through the <c>--oidc-role</c> rules <em>instead of</em> the
/// token's roles claim: the directory is the one source of a user's groups, and when it cannot be asked nobody gets a role
/// from it (fail closed).
/// </summary>
public sealed record LdapOptions
{
    /// <summary>The user filter when none is given: <c>(uid={user})</c>.</summary>
    public const string DefaultUserFilter = "(uid={user})";

    /// <summary>The group filter when none is given: <c>(member={dn})</c>.</summary>
    public const string DefaultGroupFilter = "(member={dn})";

    /// <summary>The claim whose value is looked up when none is given: <c>preferred_username</c>.</summary>
    public const string DefaultUserClaim = "preferred_username";

    /// <summary>The directory (<c>--ldap-url</c>): <c>ldap://host[:389]</c> or <c>ldaps://host[:636]</c>.</summary>
    public required Uri Url { get; init; }

    /// <summary>Upgrade an <c>ldap://</c> connection with StartTLS before binding (<c>--ldap-starttls</c>).</summary>
    public bool StartTls { get; init; }

    /// <summary>The DN Drover binds as to search (<c>--ldap-bind-dn</c>); null: an anonymous bind.</summary>
    public string? BindDn { get; init; }

    /// <summary>Where the bind password is read from (<c>--ldap-bind-password env:NAME|file:/path</c>); its value is never logged, printed or returned.</summary>
    public SecretRef? BindPassword { get; init; }

    /// <summary>The base DN users are searched under (<c>--ldap-user-base</c>), e.g. <c>ou=people,dc=example,dc=com</c>.</summary>
    public required string UserBase { get; init; }

    /// <summary>The user search filter (<c>--ldap-user-filter</c>); <c>{user}</c> is replaced by the claim's value, escaped (RFC 4515).</summary>
    public string UserFilter { get; init; } = DefaultUserFilter;

    /// <summary>The token claim whose value is the directory's user name (<c>--ldap-user-claim</c>).</summary>
    public string UserClaim { get; init; } = DefaultUserClaim;

    /// <summary>The base DN of a group search (<c>--ldap-group-base</c>); null: the user entry's <c>memberOf</c> values are the groups.</summary>
    public string? GroupBase { get; init; }

    /// <summary>
    /// The group search filter (<c>--ldap-group-filter</c>); <c>{dn}</c> is the user entry's DN and <c>{user}</c> the claim's
    /// value, both escaped (RFC 4515).
    /// </summary>
    public string GroupFilter { get; init; } = DefaultGroupFilter;

    /// <summary>How long a user's looked-up groups are used for API bearer tokens before asking again (<c>--ldap-cache-ttl</c>). Default 5 minutes; 0: every request asks.</summary>
    public TimeSpan CacheTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How many users' groups the cache holds at most; the oldest entry makes room. Default 10,000.</summary>
    public int CacheSize { get; init; } = 10_000;

    /// <summary>How long one connection, bind or search may take (<c>--ldap-timeout</c>). Default 5 seconds.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>True for <c>ldaps://</c> (TLS from the first byte).</summary>
    public bool Ldaps => string.Equals(Url.Scheme, "ldaps", StringComparison.OrdinalIgnoreCase);

    /// <summary>The port connected to: the URL's, else 636 for <c>ldaps://</c> and 389 for <c>ldap://</c>.</summary>
    public int Port => Url.IsDefaultPort || Url.Port <= 0 ? (Ldaps ? 636 : 389) : Url.Port;

    /// <summary>How the directory is named in health and logs: <c>host:port</c> (never a DN or password).</summary>
    public string Name => $"{Url.Host}:{Port}";

    /// <summary>True when group membership is read by a group search rather than the user entry's <c>memberOf</c>.</summary>
    public bool GroupSearch => GroupBase is not null;

    /// <summary>Every problem with these options, each naming the flag; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        var scheme = Url.IsAbsoluteUri ? Url.Scheme.ToLowerInvariant() : string.Empty;
        if (scheme is not ("ldap" or "ldaps") || string.IsNullOrEmpty(Url.Host))
        {
            problems.Add($"--ldap-url '{Url}': must be ldap://HOST[:PORT] or ldaps://HOST[:PORT]");
        }
        else if (Url.AbsolutePath is not ("" or "/") || !string.IsNullOrEmpty(Url.Query) || !string.IsNullOrEmpty(Url.Fragment) || !string.IsNullOrEmpty(Url.UserInfo))
        {
            problems.Add($"--ldap-url '{Url}': must name only the scheme, host and port (the bases and filters have their own flags)");
        }

        if (StartTls && scheme == "ldaps")
        {
            problems.Add("--ldap-starttls is for ldap:// URLs; an ldaps:// URL is TLS already");
        }

        if (BindDn is null && BindPassword is not null)
        {
            problems.Add("--ldap-bind-password is given without --ldap-bind-dn");
        }

        if (BindDn is not null)
        {
            if (LdapFilter.DnProblem(BindDn) is { } dn)
            {
                problems.Add($"--ldap-bind-dn '{BindDn}': {dn}");
            }

            if (BindPassword is null)
            {
                problems.Add("--ldap-bind-dn needs --ldap-bind-password (env:NAME or file:/path)");
            }
        }

        if (LdapFilter.DnProblem(UserBase) is { } userBase)
        {
            problems.Add($"--ldap-user-base '{UserBase}': {userBase}");
        }

        if (LdapFilter.TemplateProblem(UserFilter, ["user"]) is { } userFilter)
        {
            problems.Add($"--ldap-user-filter '{UserFilter}': {userFilter}");
        }
        else if (!UserFilter.Contains("{user}", StringComparison.Ordinal))
        {
            problems.Add($"--ldap-user-filter '{UserFilter}': must contain {{user}}, e.g. (uid={{user}})");
        }

        if (string.IsNullOrWhiteSpace(UserClaim) || UserClaim.Trim() != UserClaim)
        {
            problems.Add("--ldap-user-claim: must name a token claim, e.g. preferred_username or email");
        }

        if (GroupBase is not null && LdapFilter.DnProblem(GroupBase) is { } groupBase)
        {
            problems.Add($"--ldap-group-base '{GroupBase}': {groupBase}");
        }

        if (LdapFilter.TemplateProblem(GroupFilter, ["dn", "user"]) is { } groupFilter)
        {
            problems.Add($"--ldap-group-filter '{GroupFilter}': {groupFilter}");
        }
        else if (!GroupFilter.Contains("{dn}", StringComparison.Ordinal) && !GroupFilter.Contains("{user}", StringComparison.Ordinal))
        {
            problems.Add($"--ldap-group-filter '{GroupFilter}': must contain {{dn}} or {{user}}, e.g. (member={{dn}})");
        }

        if (CacheTtl < TimeSpan.Zero || CacheTtl > TimeSpan.FromHours(1))
        {
            problems.Add($"--ldap-cache-ttl {CacheTtl}: must be between 0 and 1 hour");
        }

        if (CacheSize < 1)
        {
            problems.Add("the LDAP cache size must be at least 1");
        }

        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(1))
        {
            problems.Add($"--ldap-timeout {Timeout}: must be between 100 ms and 1 minute");
        }

        return problems;
    }
}
