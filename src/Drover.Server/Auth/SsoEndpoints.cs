using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Auth;

/// <summary>
/// The dashboard's sign-in with the authorization code flow and PKCE (S256): <c>GET /auth/login</c> sends the browser to
/// the issuer with a fresh state, nonce and code challenge; <c>GET /auth/callback</c> checks the state, exchanges the
/// code (client secret and code verifier), checks the ID token (signature, issuer, audience, lifetime, nonce), maps the
/// user's groups to a role and sets the session cookie; <c>GET|POST /auth/logout</c> ends the session (and the issuer's,
/// when it has an end-session endpoint).
/// </summary>
internal static class SsoEndpoints
{
    public static void Map(WebApplication app, OidcOptions options, OidcIssuer issuer, OidcTokenValidator validator, SsoCookies cookies, string clientSecret, HttpClient http, ILogger logger)
    {
        app.MapGet("/auth/login", async (HttpContext context, CancellationToken ct) =>
        {
            OidcDiscovery discovery;
            try
            {
                discovery = await issuer.DiscoveryAsync(ct).ConfigureAwait(false);
            }
            catch (OidcUnavailableException e)
            {
                return Page(StatusCodes.Status503ServiceUnavailable, "Sign-in is not available", e.Message);
            }

            var signIn = cookies.StartSignIn(context.Response);
            var query = new Dictionary<string, string?>
            {
                ["response_type"] = "code",
                ["client_id"] = options.ClientId,
                ["redirect_uri"] = options.RedirectUri.ToString(),
                ["scope"] = string.Join(' ', options.Scopes),
                ["state"] = signIn.State,
                ["nonce"] = signIn.Nonce,
                ["code_challenge"] = SsoCookies.Challenge(signIn.Verifier),
                ["code_challenge_method"] = "S256",
            };
            context.Response.Headers.CacheControl = "no-store";
            return Results.Redirect(QueryHelpers.AddQueryString(discovery.AuthorizationEndpoint.ToString(), query));
        });

        app.MapGet("/auth/callback", async (HttpContext context, CancellationToken ct) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var signIn = cookies.TakeSignIn(context.Request, context.Response);
            var query = context.Request.Query;
            if (query["error"].ToString() is { Length: > 0 } error)
            {
                return Refuse($"the issuer answered {error}: {query["error_description"]}");
            }

            if (signIn is null)
            {
                return Refuse("this browser started no sign-in, or it took longer than 10 minutes; start again at /auth/login");
            }

            if (!FixedTimeEquals(query["state"].ToString(), signIn.State))
            {
                return Refuse("the state the issuer sent back is not this sign-in's");
            }

            if (query["code"].ToString() is not { Length: > 0 } code)
            {
                return Refuse("the issuer sent no authorization code");
            }

            try
            {
                var discovery = await issuer.DiscoveryAsync(ct).ConfigureAwait(false);
                var (idToken, problem) = await ExchangeAsync(http, discovery.TokenEndpoint, options, clientSecret, code, signIn.Verifier, ct).ConfigureAwait(false);
                if (idToken is null)
                {
                    return Refuse(problem!);
                }

                var check = await validator.ValidateIdTokenAsync(idToken, signIn.Nonce, ct).ConfigureAwait(false);
                if (!check.IsValid)
                {
                    return Refuse($"the ID token was refused: {check.Problem}");
                }

                if (check.Role is not { } role)
                {
                    var source = options.Ldap is null ? $"'{options.RolesClaim}'" : "groups in the LDAP directory";
                    AuthLog.SignInRefused(logger, $"{check.User} has no group that maps to a Drover role ({(options.Ldap is null ? "claim " : string.Empty)}{source})");
                    return Page(StatusCodes.Status403Forbidden, "No Drover role", $"You are signed in at the issuer as {check.User}, but none of your {source} maps to a Drover role. Ask an administrator to add you to a group Drover maps.");
                }

                cookies.SetSession(context.Response, check.User!, role);
                AuthLog.SignedIn(logger, check.User!, role.ToString().ToLowerInvariant());
                return Results.Redirect("/");
            }
            catch (OidcUnavailableException e)
            {
                return Page(StatusCodes.Status503ServiceUnavailable, "Sign-in is not available", e.Message);
            }
            catch (LdapUnavailableException e)
            {
                AuthLog.SignInRefused(logger, e.Message);
                return Page(StatusCodes.Status503ServiceUnavailable, "Sign-in is not available", $"Your groups cannot be looked up, so no role can be given: {e.Message}");
            }
        });

        app.MapMethods("/auth/logout", [HttpMethods.Get, HttpMethods.Post], async (HttpContext context, CancellationToken ct) =>
        {
            if (cookies.Session(context.Request) is { } caller)
            {
                AuthLog.SignedOut(logger, caller.Name);
            }

            cookies.ClearSession(context.Response);
            context.Response.Headers.CacheControl = "no-store";
            OidcDiscovery? discovery = null;
            try
            {
                discovery = await issuer.DiscoveryAsync(ct).ConfigureAwait(false);
            }
            catch (OidcUnavailableException)
            {
                // Drover's session is over either way; the issuer's stays until it expires.
            }

            if (discovery?.EndSessionEndpoint is { } end)
            {
                var home = options.PublicUrl!.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/";
                return Results.Redirect(QueryHelpers.AddQueryString(end.ToString(), new Dictionary<string, string?> { ["client_id"] = options.ClientId, ["post_logout_redirect_uri"] = home }));
            }

            return Results.Redirect("/");
        });

        IResult Refuse(string reason)
        {
            AuthLog.SignInRefused(logger, reason);
            return Page(StatusCodes.Status401Unauthorized, "Sign-in failed", reason + ". Start again at /auth/login.");
        }
    }

    /// <summary>Exchanges the code at the token endpoint (client_secret_basic) and returns the ID token, or why not.</summary>
    private static async Task<(string? IdToken, string? Problem)> ExchangeAsync(HttpClient http, Uri tokenEndpoint, OidcOptions options, string clientSecret, string code, string verifier, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = options.RedirectUri.ToString(),
                ["code_verifier"] = verifier,
            }),
        };
        var basic = $"{Uri.EscapeDataString(options.ClientId!)}:{Uri.EscapeDataString(clientSecret)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return (null, $"the token endpoint {tokenEndpoint} cannot be reached ({e.Message})");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            try
            {
                using var json = JsonDocument.Parse(body);
                var root = json.RootElement;
                if (!response.IsSuccessStatusCode)
                {
                    var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
                    return (null, $"the token endpoint {tokenEndpoint} answered {(int)response.StatusCode} {error}".TrimEnd());
                }

                return root.TryGetProperty("id_token", out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 } token
                    ? (token, null)
                    : (null, $"the token endpoint {tokenEndpoint} returned no id_token (is 'openid' among the scopes?)");
            }
            catch (JsonException)
            {
                return (null, $"the token endpoint {tokenEndpoint} answered {(int)response.StatusCode} with something that is not JSON");
            }
        }
    }

    /// <summary>A small HTML page; every text is HTML-encoded.</summary>
    private static IResult Page(int status, string title, string text) =>
        Results.Content(
            $"<!doctype html><html><head><meta charset=\"utf-8\"><title>Drover: {WebUtility.HtmlEncode(title)}</title></head><body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p><p><a href=\"/auth/login\">Sign in</a> · <a href=\"/\">Dashboard</a></p></body></html>",
            "text/html; charset=utf-8",
            Encoding.UTF8,
            status);

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
