using System.CommandLine;
using Drover.Core.Config;
using Drover.Server.Auth;

namespace Drover.Cli;

/// <summary><c>serve</c>'s single sign-on flags (<c>--oidc-*</c>, <c>--public-url</c>) and their reading into <see cref="OidcOptions"/>.</summary>
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

    public static SsoFlags Create() => new();

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _issuer, _audience, _clientId, _clientSecret, _publicUrl, _scopes, _rolesClaim, _roles, _clockSkew, _sessionLifetime, _sessionKeys })
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
            var stray = new Option[] { _audience, _clientId, _clientSecret, _publicUrl, _roles, _sessionKeys }
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
        };
        problems.AddRange(options.Problems().Where(p => !(p.StartsWith("--oidc-issuer needs at least one --oidc-role", StringComparison.Ordinal) && problems.Any(q => q.StartsWith("--oidc-role", StringComparison.Ordinal)))));
        return problems.Count == 0 ? options : throw new FormatException(string.Join(Environment.NewLine + "serve: ", problems));
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
