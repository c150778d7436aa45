using System.CommandLine;
using Drover.Core.Config;
using Drover.Server.Auth;

namespace Drover.Cli;

/// <summary>
/// <c>serve</c>'s single sign-on flags (<c>--oidc-*</c>, <c>--public-url</c>, and the LDAP group lookup's <c>--ldap-*</c>)
/// and their reading into <see cref="OidcOptions"/>.
/// </summary>
internal sealed class SsoFlags
{
    private readonly Option<string?> _issuer = new("--oidc-issuer") { Description = "OpenID Connect issuer URL; turns on single sign-on (JWT bearer tokens for the API, dashboard sign-in with --oidc-client-id)" };
    private readonly Option<string?> _audience = new("--oidc-audience") { Description = "The aud API bearer tokens must carry (default: --oidc-client-id)" };
    private readonly Option<string?> _clientId = new("--oidc-client-id") { Description = "OAuth client id of the dashboard's sign-in (authorization code with PKCE)" };
    private readonly Option<string?> _clientSecret = new("--oidc-client-secret") { Description = "The client's secret as env:VARIABLE or file:/path; never logged" };
    private readonly Option<string?> _publicUrl = new("--public-url") { Description = "The address users open Drover at, e.g. https://drover.example.com; the redirect URI is {public-url}/auth/callback" };
    private readonly Option<string> _scopes = new("--oidc-scopes") { Description = "Scopes asked for at sign-in, space-separated", DefaultValueFactory = _ => "openid profile email" };
    private readonly Option<string> _rolesClaim = new("--oidc-roles-claim") { Description = "The claim whose values map to roles, e.g. groups or roles", DefaultValueFactory = _ => OidcOptions.DefaultRolesClaim };
    private readonly Option<string[]> _roles = new("--oidc-role") { Description = "ROLE=VALUE: users whose roles claim holds VALUE get ROLE (viewer, operator or admin); repeatable, the highest match wins", AllowMultipleArgumentsPerToken = false };
    private readonly Option<string> _clockSkew = new("--oidc-clock-skew") { Description = "Tolerance for exp/nbf between the issuer's clock and Drover's", DefaultValueFactory = _ => "1m" };
    private readonly Option<string?> _sessionKeys = new("--oidc-session-keys") { Description = "Directory of the key ring that protects dashboard session cookies (default: session-keys in the data directory); replicas behind one address must share it" };
    private readonly Option<string> _sessionLifetime = new("--oidc-session-lifetime") { Description = "How long a dashboard session lasts before signing in again", DefaultValueFactory = _ => "8h" };

    private readonly Option<string?> _ldapUrl = new("--ldap-url") { Description = "LDAP directory whose groups map to roles instead of the token's roles claim: ldap://HOST[:389] or ldaps://HOST[:636]; needs --oidc-issuer" };
    private readonly Option<bool> _ldapStartTls = new("--ldap-starttls") { Description = "Upgrade the ldap:// connection with StartTLS before binding" };
    private readonly Option<string?> _ldapBindDn = new("--ldap-bind-dn") { Description = "The DN Drover binds as to search, e.g. cn=drover,ou=services,dc=example,dc=com (default: an anonymous bind)" };
    private readonly Option<string?> _ldapBindPassword = new("--ldap-bind-password") { Description = "The bind DN's password as env:VARIABLE or file:/path; never logged" };
    private readonly Option<string?> _ldapUserBase = new("--ldap-user-base") { Description = "Base DN users are searched under, e.g. ou=people,dc=example,dc=com" };
    private readonly Option<string> _ldapUserFilter = new("--ldap-user-filter") { Description = "User search filter; {user} is the token claim's value, escaped", DefaultValueFactory = _ => LdapOptions.DefaultUserFilter };
    private readonly Option<string> _ldapUserClaim = new("--ldap-user-claim") { Description = "The token claim whose value is the directory's user name", DefaultValueFactory = _ => LdapOptions.DefaultUserClaim };
    private readonly Option<string?> _ldapGroupBase = new("--ldap-group-base") { Description = "Base DN of a group search (default: the user entry's memberOf values are the groups)" };
    private readonly Option<string> _ldapGroupFilter = new("--ldap-group-filter") { Description = "Group search filter; {dn} is the user entry's DN, {user} the claim's value, both escaped", DefaultValueFactory = _ => LdapOptions.DefaultGroupFilter };
    private readonly Option<string> _ldapCacheTtl = new("--ldap-cache-ttl") { Description = "How long a user's groups are reused for API bearer tokens (sign-ins always ask); 0: never", DefaultValueFactory = _ => "5m" };
    private readonly Option<string> _ldapTimeout = new("--ldap-timeout") { Description = "How long one LDAP connection, bind or search may take", DefaultValueFactory = _ => "5s" };

    public static SsoFlags Create() => new();

    private Option[] LdapFlags => [_ldapUrl, _ldapStartTls, _ldapBindDn, _ldapBindPassword, _ldapUserBase, _ldapUserFilter, _ldapUserClaim, _ldapGroupBase, _ldapGroupFilter, _ldapCacheTtl, _ldapTimeout];

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _issuer, _audience, _clientId, _clientSecret, _publicUrl, _scopes, _rolesClaim, _roles, _clockSkew, _sessionLifetime, _sessionKeys }.Concat(LdapFlags))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The SSO options, or null when <c>--oidc-issuer</c> is not given.</summary>
    /// <exception cref="FormatException">Every problem, each naming its flag; never a secret's value.</exception>
    public OidcOptions? Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var problems = new List<string>();
        var issuer = parse.GetValue(_issuer);
        if (issuer is null)
        {
            var stray = new Option[] { _audience, _clientId, _clientSecret, _publicUrl, _roles, _sessionKeys }.Concat(LdapFlags)
                .Where(o => parse.GetResult(o) is { Implicit: false })
                .Select(o => o.Name)
                .ToList();
            return stray.Count == 0 ? null : throw new FormatException($"{string.Join(", ", stray)} given without --oidc-issuer");
        }

        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri))
        {
            throw new FormatException($"--oidc-issuer '{issuer}': not an absolute URL");
        }

        SecretRef? secret = null;
        if (parse.GetValue(_clientSecret) is { } reference && (!SecretRef.TryParse(reference, out secret) || secret is null))
        {
            // The value may be the secret itself, pasted by mistake: do not echo it.
            problems.Add($"--oidc-client-secret: not a secret reference ({SecretRef.Forms}); give where the secret is, not the secret");
        }

        Uri? publicUrl = null;
        if (parse.GetValue(_publicUrl) is { } url && !Uri.TryCreate(url, UriKind.Absolute, out publicUrl))
        {
            problems.Add($"--public-url '{url}': not an absolute URL");
        }

        var roles = new List<OidcRoleMapping>();
        foreach (var spec in parse.GetValue(_roles) ?? [])
        {
            try
            {
                roles.Add(OidcRoleMapping.Parse(spec));
            }
            catch (FormatException e)
            {
                problems.Add(e.Message);
            }
        }

        var skew = Duration(parse.GetValue(_clockSkew), "--oidc-clock-skew", problems);
        var lifetime = Duration(parse.GetValue(_sessionLifetime), "--oidc-session-lifetime", problems);
        var options = new OidcOptions
        {
            Issuer = issuerUri,
            Audience = parse.GetValue(_audience),
            ClientId = parse.GetValue(_clientId),
            ClientSecret = secret,
            PublicUrl = publicUrl,
            Scopes = (parse.GetValue(_scopes) ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            RolesClaim = parse.GetValue(_rolesClaim) ?? OidcOptions.DefaultRolesClaim,
            Roles = roles,
            ClockSkew = skew ?? TimeSpan.FromMinutes(1),
            SessionLifetime = lifetime ?? TimeSpan.FromHours(8),
            SessionKeysDirectory = parse.GetValue(_sessionKeys),
            Ldap = ReadLdap(parse, problems),
        };
        problems.AddRange(options.Problems().Where(p => !(p.StartsWith("--oidc-issuer needs at least one --oidc-role", StringComparison.Ordinal) && problems.Any(q => q.StartsWith("--oidc-role", StringComparison.Ordinal)))));
        return problems.Count == 0 ? options : throw new FormatException(string.Join(Environment.NewLine + "serve: ", problems));
    }

    /// <summary>The LDAP options, or null without <c>--ldap-url</c> (any other <c>--ldap-*</c> flag then is a problem).</summary>
    private LdapOptions? ReadLdap(ParseResult parse, List<string> problems)
    {
        if (parse.GetValue(_ldapUrl) is not { } url)
        {
            var stray = LdapFlags.Where(o => parse.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToList();
            if (stray.Count > 0)
            {
                problems.Add($"{string.Join(", ", stray)} given without --ldap-url");
            }

            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            problems.Add($"--ldap-url '{url}': not an absolute URL like ldap://ldap.example.com or ldaps://ldap.example.com:636");
            return null;
        }

        SecretRef? password = null;
        if (parse.GetValue(_ldapBindPassword) is { } reference && (!SecretRef.TryParse(reference, out password) || password is null))
        {
            // The value may be the password itself, pasted by mistake: do not echo it.
            problems.Add($"--ldap-bind-password: not a secret reference ({SecretRef.Forms}); give where the password is, not the password");
        }

        var userBase = parse.GetValue(_ldapUserBase);
        if (userBase is null)
        {
            problems.Add("--ldap-url needs --ldap-user-base, the base DN users are searched under (e.g. ou=people,dc=example,dc=com)");
        }

        var ttl = Duration(parse.GetValue(_ldapCacheTtl), "--ldap-cache-ttl", problems);
        var timeout = Duration(parse.GetValue(_ldapTimeout), "--ldap-timeout", problems);
        return new LdapOptions
        {
            Url = uri,
            StartTls = parse.GetValue(_ldapStartTls),
            BindDn = parse.GetValue(_ldapBindDn),
            // A bind DN with an unusable reference is reported above, not also as "needs --ldap-bind-password".
            BindPassword = password ?? (parse.GetValue(_ldapBindPassword) is null ? null : new SecretRef(SecretSource.Env, "UNSET")),
            UserBase = userBase ?? "ou=unset",
            UserFilter = parse.GetValue(_ldapUserFilter) ?? LdapOptions.DefaultUserFilter,
            UserClaim = parse.GetValue(_ldapUserClaim) ?? LdapOptions.DefaultUserClaim,
            GroupBase = parse.GetValue(_ldapGroupBase),
            GroupFilter = parse.GetValue(_ldapGroupFilter) ?? LdapOptions.DefaultGroupFilter,
            CacheTtl = ttl ?? TimeSpan.FromMinutes(5),
            Timeout = timeout ?? TimeSpan.FromSeconds(5),
        };
    }

    private static TimeSpan? Duration(string? text, string flag, List<string> problems)
    {
        if (text == "0")
        {
            return TimeSpan.Zero;
        }

        if (DurationParser.TryParse(text, out var value))
        {
            return value;
        }

        problems.Add($"{flag}: '{text}' is not a duration like 30s, 5m or 8h");
        return null;
    }
}
