using Microsoft.AspNetCore.Http;

namespace Drover.Server.Auth;

/// <summary>The outcome of <see cref="ApiAuthenticator.AuthenticateAsync"/>: a caller, or the status and message to answer with.</summary>
/// <param name="Caller">The authenticated caller, or null.</param>
/// <param name="Status">0 with a caller; else 401, 403 or 503.</param>
/// <param name="Error">What to tell the client; never a token.</param>
/// <param name="BearerPresented">A 401 for a presented bearer token says <c>error="invalid_token"</c> in <c>WWW-Authenticate</c>.</param>
public sealed record ApiAuthentication(ApiCaller? Caller, int Status, string? Error, bool BearerPresented)
{
    internal static ApiAuthentication As(ApiCaller caller) => new(caller, 0, null, false);

    internal static ApiAuthentication Refused(string error, bool presented) => new(null, StatusCodes.Status401Unauthorized, error, presented);

    internal static ApiAuthentication Forbidden(string error) => new(null, StatusCodes.Status403Forbidden, error, false);

    internal static ApiAuthentication NoRole(string user) =>
        new(null, StatusCodes.Status403Forbidden, $"forbidden: '{user}' is signed in but none of their groups maps to a Drover role", false);

    internal static ApiAuthentication Unavailable(string error) => new(null, StatusCodes.Status503ServiceUnavailable, error, false);
}
