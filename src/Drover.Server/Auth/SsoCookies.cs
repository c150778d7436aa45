using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Auth;

/// <summary>
/// The dashboard's two cookies, both protected (encrypted and authenticated) with ASP.NET Core Data Protection:
/// the sign-in cookie that carries state, nonce and PKCE verifier from <c>/auth/login</c> to <c>/auth/callback</c>
/// (SameSite=Lax, since the issuer's redirect back is a cross-site navigation; path <c>/auth/</c>; 10 minutes) and the
/// session cookie (SameSite=Strict, HttpOnly, Secure on https, the session's lifetime). Expiry is checked on the injected clock.
/// </summary>
internal sealed class SsoCookies(IDataProtectionProvider protection, OidcOptions options, TimeProvider time)
{
    /// <summary>How long a sign-in may take at the issuer.</summary>
    public static readonly TimeSpan SignInLifetime = TimeSpan.FromMinutes(10);

    private readonly IDataProtector _session = protection.CreateProtector("Drover.Sso.Session.v1");
    private readonly IDataProtector _signIn = protection.CreateProtector("Drover.Sso.SignIn.v1");
    private readonly bool _secure = options.PublicUrl?.Scheme == Uri.UriSchemeHttps;

    /// <summary>The session cookie's name: <c>__Host-</c> prefixed on https, so no subdomain can set or scope it.</summary>
    public string SessionName => _secure ? "__Host-drover-session" : "drover-session";

    /// <summary>The sign-in cookie's name.</summary>
    public string SignInName => _secure ? "__Secure-drover-signin" : "drover-signin";

    /// <summary>Starts a session for <paramref name="user"/> with <paramref name="role"/>.</summary>
    public void SetSession(HttpResponse response, string user, ApiRole role)
    {
        var expires = time.GetUtcNow() + options.SessionLifetime;
        var payload = JsonSerializer.Serialize(new SessionPayload(user, role, expires.ToUnixTimeSeconds()));
        response.Cookies.Append(SessionName, _session.Protect(payload), new CookieOptions
        {
            HttpOnly = true,
            Secure = _secure,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            Expires = expires,
            IsEssential = true,
        });
    }

    /// <summary>The signed-in caller of a request, or null without a valid, unexpired session cookie.</summary>
    public ApiCaller? Session(HttpRequest request)
    {
        if (!request.Cookies.TryGetValue(SessionName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        var payload = Unprotect<SessionPayload>(_session, value);
        return payload is null || payload.Expires <= time.GetUtcNow().ToUnixTimeSeconds() || !Enum.IsDefined(payload.Role)
            ? null
            : ApiCaller.Sso(payload.User, payload.Role);
    }

    /// <summary>Ends the session.</summary>
    public void ClearSession(HttpResponse response) =>
        response.Cookies.Delete(SessionName, new CookieOptions { Path = "/", Secure = _secure, SameSite = SameSiteMode.Strict, HttpOnly = true });

    /// <summary>Starts a sign-in: fresh state, nonce and PKCE verifier, kept in the sign-in cookie; returns them.</summary>
    public SignIn StartSignIn(HttpResponse response)
    {
        var signIn = new SignIn(Random(), Random(), Random(), time.GetUtcNow().Add(SignInLifetime).ToUnixTimeSeconds());
        response.Cookies.Append(SignInName, _signIn.Protect(JsonSerializer.Serialize(signIn)), new CookieOptions
        {
            HttpOnly = true,
            Secure = _secure,
            SameSite = SameSiteMode.Lax,
            Path = "/auth/",
            MaxAge = SignInLifetime,
            IsEssential = true,
        });
        return signIn;
    }

    /// <summary>The sign-in this browser started, if its cookie is there, intact and not older than 10 minutes; the cookie is removed.</summary>
    public SignIn? TakeSignIn(HttpRequest request, HttpResponse response)
    {
        if (!request.Cookies.TryGetValue(SignInName, out var value) || string.IsNullOrEmpty(value))
        {
            return null;
        }

        response.Cookies.Delete(SignInName, new CookieOptions { Path = "/auth/", Secure = _secure, SameSite = SameSiteMode.Lax, HttpOnly = true });
        var signIn = Unprotect<SignIn>(_signIn, value);
        return signIn is null || signIn.Expires <= time.GetUtcNow().ToUnixTimeSeconds() ? null : signIn;
    }

    /// <summary>The PKCE S256 challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier) => Base64Url(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(verifier)));

    private static T? Unprotect<T>(IDataProtector protector, string value)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(protector.Unprotect(value));
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    /// <summary>32 random bytes, base64url: 43 characters, as PKCE's verifier wants (43 to 128).</summary>
    private static string Random() => Base64Url(RandomNumberGenerator.GetBytes(32));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>What a sign-in carries from the login redirect to the callback.</summary>
    internal sealed record SignIn(string State, string Nonce, string Verifier, long Expires);

    private sealed record SessionPayload(string User, ApiRole Role, long Expires);
}
