using Drover.Core.Config;

namespace Drover.Server.Auth;

/// <summary>
/// Single sign-on through an OpenID Connect issuer (<c>serve --oidc-*</c>): JWT bearer tokens for the API and, with a
/// client id, the dashboard's sign-in (authorization code with PKCE) and its cookie session. Static API tokens keep working
/// and are tried first.
/// </summary>
public sealed record OidcOptions
{
    /// <summary>Where claim values are read from when nothing else is configured: the <c>groups</c> claim.</summary>
    public const string DefaultRolesClaim = "groups";

    /// <summary>The issuer URL (<c>--oidc-issuer</c>): its discovery document is <c>{issuer}/.well-known/openid-configuration</c>.</summary>
    public required Uri Issuer { get; init; }

    /// <summary>
    /// The <c>aud</c> an API bearer token must carry (<c>--oidc-audience</c>); null: <see cref="ClientId"/>.
    /// </summary>
    public string? Audience { get; init; }

    /// <summary>The dashboard's OAuth client id (<c>--oidc-client-id</c>); null: no dashboard sign-in, API bearer tokens only.</summary>
    public string? ClientId { get; init; }

    /// <summary>Where the client secret is read from (<c>--oidc-client-secret env:NAME|file:/path</c>); its value is never logged, printed or returned.</summary>
    public SecretRef? ClientSecret { get; init; }

    /// <summary>
    /// The address users reach Drover at (<c>--public-url</c>), e.g. <c>https://drover.example.com</c>: the redirect URI
    /// registered at the issuer is <c>{public-url}/auth/callback</c>, and a cookie-authenticated POST must come from this origin.
    /// </summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>Scopes asked for at sign-in (<c>--oidc-scopes</c>); <c>openid</c> is always among them.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["openid", "profile", "email"];

    /// <summary>The claim whose values are mapped to roles (<c>--oidc-roles-claim</c>), e.g. <c>groups</c> or <c>roles</c>.</summary>
    public string RolesClaim { get; init; } = DefaultRolesClaim;

    /// <summary>Claim value → role rules (<c>--oidc-role ROLE=VALUE</c>); a user none matches is authenticated but has no role (403).</summary>
    public IReadOnlyList<OidcRoleMapping> Roles { get; init; } = [];

    /// <summary>Tolerance for the issuer's and Drover's clocks when checking <c>exp</c> and <c>nbf</c> (<c>--oidc-clock-skew</c>). Default 1 minute.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The least time between two fetches of the issuer's keys caused by a token signed with an unknown key id, so tokens
    /// with made-up key ids cannot make Drover hammer the issuer. Default 1 minute.
    /// </summary>
    public TimeSpan KeyRefreshInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How long one call to the issuer (discovery, keys, code exchange) may take. Default 10 seconds.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long the issuer's keys are used before they are fetched again anyway. Default 1 hour.</summary>
    public TimeSpan KeyLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long a dashboard session lasts before signing in again (<c>--oidc-session-lifetime</c>). Default 8 hours.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Where the keys that protect the dashboard's session cookies are kept (ASP.NET Core Data Protection key ring);
    /// null: <c>session-keys</c> in Drover's data directory. Replicas behind one address must share it.
    /// </summary>
    public string? SessionKeysDirectory { get; init; }

    /// <summary>
    /// LDAP group lookup (<c>--ldap-*</c>); null: groups come from <see cref="RolesClaim"/>. With it, the directory's groups
    /// of the user the token names replace the roles claim in the <see cref="Roles"/> rules.
    /// </summary>
    public LdapOptions? Ldap { get; init; }

    /// <summary>True when the dashboard can sign users in (a client id is set).</summary>
    public bool DashboardSignIn => ClientId is not null;

    /// <summary>The audience API bearer tokens are checked against.</summary>
    public string ApiAudience => Audience ?? ClientId ?? throw new InvalidOperationException("SSO has neither an audience nor a client id");

    /// <summary>The redirect URI registered at the issuer: <c>{public-url}/auth/callback</c>.</summary>
    public Uri RedirectUri => PublicUrl is { } url
        ? new Uri(url.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/auth/callback")
        : throw new InvalidOperationException("SSO has no public URL");

    /// <summary>Every problem with these options, each naming the flag; empty when they can be used.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Issuer.IsAbsoluteUri || !SecureOrLoopback(Issuer))
        {
            problems.Add($"--oidc-issuer '{Issuer}': must be an absolute https:// URL (http:// only on a loopback address)");
        }
        else if (!string.IsNullOrEmpty(Issuer.Query) || !string.IsNullOrEmpty(Issuer.Fragment))
        {
            problems.Add($"--oidc-issuer '{Issuer}': must not have a query or fragment");
        }

        if (Audience is null && ClientId is null)
        {
            problems.Add("--oidc-issuer needs --oidc-audience (API tokens' aud) or --oidc-client-id (dashboard sign-in, also the default audience)");
        }

        if (Audience is { Length: 0 } || Audience?.Trim() != Audience)
        {
            problems.Add("--oidc-audience: must not be empty or start or end with spaces");
        }

        if (ClientId is not null)
        {
            if (ClientId.Length == 0)
            {
                problems.Add("--oidc-client-id: must not be empty");
            }

            if (ClientSecret is null)
            {
                problems.Add("--oidc-client-id needs --oidc-client-secret (env:NAME or file:/path): the dashboard signs in as a confidential client");
            }

            if (PublicUrl is null)
            {
                problems.Add("--oidc-client-id needs --public-url, the address users open Drover at (the redirect URI is {public-url}/auth/callback)");
            }
        }
        else if (ClientSecret is not null)
        {
            problems.Add("--oidc-client-secret is given without --oidc-client-id");
        }

        if (PublicUrl is { } url && (!url.IsAbsoluteUri || !SecureOrLoopback(url) || !string.IsNullOrEmpty(url.Query) || !string.IsNullOrEmpty(url.Fragment)))
        {
            problems.Add($"--public-url '{url}': must be an absolute https:// URL without query or fragment (http:// only on a loopback address)");
        }

        if (!Scopes.Contains("openid", StringComparer.Ordinal))
        {
            problems.Add("--oidc-scopes: must include openid");
        }

        if (string.IsNullOrWhiteSpace(RolesClaim))
        {
            problems.Add("--oidc-roles-claim: must name a claim, e.g. groups or roles");
        }

        if (Roles.Count == 0)
        {
            problems.Add("--oidc-issuer needs at least one --oidc-role ROLE=VALUE (e.g. viewer=engineering), else no user could do anything");
        }

        if (ClockSkew < TimeSpan.Zero || ClockSkew > TimeSpan.FromMinutes(10))
        {
            problems.Add($"--oidc-clock-skew {ClockSkew}: must be between 0 and 10 minutes");
        }

        if (SessionLifetime < TimeSpan.FromMinutes(5) || SessionLifetime > TimeSpan.FromDays(7))
        {
            problems.Add($"--oidc-session-lifetime {SessionLifetime}: must be between 5 minutes and 7 days");
        }

        if (KeyRefreshInterval <= TimeSpan.Zero || KeyLifetime < KeyRefreshInterval)
        {
            problems.Add("the issuer key refresh interval must be positive and not above the key lifetime");
        }

        if (Ldap is not null)
        {
            problems.AddRange(Ldap.Problems());
        }

        return problems;
    }

    private static bool SecureOrLoopback(Uri uri) =>
        uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback);
}
