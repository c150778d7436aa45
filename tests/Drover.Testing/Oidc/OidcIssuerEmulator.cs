using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Drover.Testing.Oidc;

/// <summary>
/// An OpenID Connect issuer on 127.0.0.1:0 for tests: discovery, a JWKS with RSA keys that can be rotated, an authorize
/// endpoint that signs in <see cref="User"/> without asking, a token endpoint that checks the client secret
/// (client_secret_basic or client_secret_post), the redirect URI and the PKCE S256 verifier, and an end-session endpoint.
/// ID and access tokens are RS256 JWTs with the user's groups. Codes are single-use.
/// </summary>
public sealed class OidcIssuerEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly Lock _sync = new();
    private List<RsaSecurityKey> _published;
    private int _jwksRequests;
    private int _discoveryRequests;
    private int _tokenRequests;

    private OidcIssuerEmulator(WebApplication app, Uri url)
    {
        _app = app;
        Issuer = url.ToString().TrimEnd('/');
        SigningKey = NewKey();
        _published = [SigningKey];
    }

    /// <summary>The issuer identifier (no trailing slash), as <c>iss</c> reads.</summary>
    public string Issuer { get; }

    /// <summary>The client that may sign in.</summary>
    public string ClientId { get; init; } = "drover";

    /// <summary>The client's secret.</summary>
    public string ClientSecret { get; init; } = "drover-client-secret-value";

    /// <summary>Redirect URIs the client registered; empty: any.</summary>
    public IList<string> RedirectUris { get; } = [];

    /// <summary>Who the authorize endpoint signs in.</summary>
    public OidcUser User { get; set; } = new("u-1", "alice", ["engineering"]);

    /// <summary>The audience of access tokens the token endpoint issues.</summary>
    public string AccessTokenAudience { get; set; } = "drover-api";

    /// <summary>The key new tokens are signed with (published in the JWKS).</summary>
    public RsaSecurityKey SigningKey { get; private set; }

    /// <summary>How many times the JWKS was fetched.</summary>
    public int JwksRequests => Volatile.Read(ref _jwksRequests);

    /// <summary>How many times the token endpoint was called.</summary>
    public int TokenRequests => Volatile.Read(ref _tokenRequests);

    /// <summary>The last token endpoint refusal, e.g. <c>invalid_grant: PKCE verifier does not match</c>.</summary>
    public string? LastTokenError { get; private set; }

    /// <summary>While true, discovery and the JWKS answer 503 (the issuer is down); requests are still counted.</summary>
    public bool Unavailable { get; set; }

    /// <summary>How many times the discovery document was fetched.</summary>
    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    /// <summary>The nonce the next ID token carries instead of the sign-in's, to test that it is checked.</summary>
    public string? NonceOverride { get; set; }

    /// <summary>Starts the issuer.</summary>
    public static async Task<OidcIssuerEmulator> StartAsync(string clientId = "drover", string clientSecret = "drover-client-secret-value")
    {
        OidcIssuerEmulator? issuer = null;
        var (app, url) = await LoopbackApp.StartAsync(app => Map(app, () => issuer!));
        issuer = new OidcIssuerEmulator(app, url) { ClientId = clientId, ClientSecret = clientSecret };
        return issuer;
    }

    /// <summary>
    /// Rotates the signing key: a new key signs from now on and is published; the old one stays published unless
    /// <paramref name="dropOld"/>.
    /// </summary>
    public void RotateKey(bool dropOld = false)
    {
        lock (_sync)
        {
            SigningKey = NewKey();
            _published = dropOld ? [SigningKey] : [.. _published, SigningKey];
        }
    }

    /// <summary>A fresh RSA key the issuer does not publish (for wrong-signature tests), with its own or a given key id.</summary>
    public static RsaSecurityKey NewKey(string? keyId = null) =>
        new(RSA.Create(2048)) { KeyId = keyId ?? Convert.ToHexString(RandomNumberGenerator.GetBytes(8)).ToLowerInvariant() };

    /// <summary>A signed JWT as this issuer would issue it; every part can be changed for negative tests.</summary>
    public string Mint(string audience, IEnumerable<string>? groups = null, DateTime? expires = null, DateTime? notBefore = null, DateTime? issuedAt = null, SecurityKey? key = null, string? issuer = null, string? nonce = null, OidcUser? user = null)
    {
        user ??= User;
        var now = DateTime.UtcNow;
        var claims = new Dictionary<string, object>
        {
            ["sub"] = user.Subject,
            ["preferred_username"] = user.Name,
            ["groups"] = (groups ?? user.Groups).ToArray(),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            IssuedAt = issuedAt ?? notBefore ?? now,
            NotBefore = notBefore ?? now,
            Expires = expires ?? now.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key ?? SigningKey, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static void Map(WebApplication app, Func<OidcIssuerEmulator> self)
    {
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref self()._discoveryRequests);
            if (self().Unavailable)
            {
                return Results.StatusCode(503);
            }

            var issuer = self().Issuer;
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuer,
                ["authorization_endpoint"] = issuer + "/authorize",
                ["token_endpoint"] = issuer + "/token",
                ["jwks_uri"] = issuer + "/jwks",
                ["end_session_endpoint"] = issuer + "/logout",
                ["response_types_supported"] = new[] { "code" },
                ["code_challenge_methods_supported"] = new[] { "S256" },
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_basic", "client_secret_post" },
            });
        });
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref self()._jwksRequests);
            return self().Unavailable ? Results.StatusCode(503) : Results.Content(self().Jwks(), "application/json");
        });
        app.MapGet("/authorize", (HttpContext http) => self().Authorize(http.Request.Query));
        app.MapPost("/token", (HttpRequest request) => self().TokenAsync(request));
        app.MapGet("/logout", (HttpContext http) =>
            http.Request.Query["post_logout_redirect_uri"].ToString() is { Length: > 0 } back ? Results.Redirect(back) : Results.Text("signed out"));
    }

    private string Jwks()
    {
        List<RsaSecurityKey> keys;
        lock (_sync)
        {
            keys = [.. _published];
        }

        var set = new JsonWebKeySet();
        foreach (var key in keys)
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
            jwk.Use = "sig";
            jwk.Alg = SecurityAlgorithms.RsaSha256;
            set.Keys.Add(jwk);
        }

        return System.Text.Json.JsonSerializer.Serialize(new { keys = set.Keys.Select(k => new { k.Kty, k.Kid, k.Use, k.Alg, k.N, k.E }) }, new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase });
    }

    private IResult Authorize(IQueryCollection query)
    {
        string Q(string name) => query[name].ToString();
        if (Q("client_id") != ClientId)
        {
            return Results.BadRequest("unknown client_id");
        }

        if (Q("response_type") != "code" || Q("code_challenge_method") != "S256" || Q("code_challenge").Length == 0)
        {
            return Results.BadRequest("response_type=code with an S256 code_challenge is required");
        }

        var redirect = Q("redirect_uri");
        if (RedirectUris.Count > 0 && !RedirectUris.Contains(redirect))
        {
            return Results.BadRequest("redirect_uri is not registered");
        }

        if (!Q("scope").Split(' ').Contains("openid"))
        {
            return Results.Redirect(QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["error"] = "invalid_scope", ["state"] = Q("state") }));
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new PendingCode(Q("code_challenge"), Q("nonce"), redirect, User);
        return Results.Redirect(QueryHelpers.AddQueryString(redirect, new Dictionary<string, string?> { ["code"] = code, ["state"] = Q("state") }));
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        Interlocked.Increment(ref _tokenRequests);
        var form = await request.ReadFormAsync();
        var (clientId, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        var basic = request.Headers.Authorization.ToString();
        if (basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic[6..])).Split(':', 2);
            (clientId, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair.ElementAtOrDefault(1) ?? string.Empty));
        }

        if (clientId != ClientId || secret != ClientSecret)
        {
            return Error("invalid_client", "client id or secret is wrong", 401);
        }

        if (form["grant_type"] != "authorization_code" || !_codes.TryRemove(form["code"].ToString(), out var pending))
        {
            return Error("invalid_grant", "unknown or used code", 400);
        }

        if (form["redirect_uri"] != pending.RedirectUri)
        {
            return Error("invalid_grant", "redirect_uri differs from the authorize request's", 400);
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (verifier.Length < 43 || challenge != pending.Challenge)
        {
            return Error("invalid_grant", "PKCE verifier does not match the challenge", 400);
        }

        var idToken = Mint(ClientId, nonce: NonceOverride ?? pending.Nonce, user: pending.User);
        var accessToken = Mint(AccessTokenAudience, user: pending.User);
        return Results.Json(new Dictionary<string, object> { ["access_token"] = accessToken, ["id_token"] = idToken, ["token_type"] = "Bearer", ["expires_in"] = 600 });
    }

    private IResult Error(string error, string description, int status)
    {
        LastTokenError = $"{error}: {description}";
        return Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: status);
    }

    private sealed record PendingCode(string Challenge, string Nonce, string RedirectUri, OidcUser User);
}
