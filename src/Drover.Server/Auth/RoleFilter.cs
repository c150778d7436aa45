using Microsoft.AspNetCore.Http;

namespace Drover.Server.Auth;

/// <summary>
/// Requires an authenticated caller (see <see cref="ApiAuthenticator"/>: a static bearer token, an SSO bearer JWT or the
/// dashboard's session cookie) with at least <paramref name="role"/>: 401 without one, 403 with a lower role (or an SSO
/// user whose groups map to no role, or a cross-origin cookie POST), 503 when the SSO issuer cannot be reached to check a
/// JWT. The caller is left in <see cref="HttpContext.Items"/>.
/// </summary>
/// <param name="authenticator">How callers are authenticated.</param>
/// <param name="role">The least role the endpoint needs.</param>
public sealed class RoleFilter(ApiAuthenticator authenticator, ApiRole role) : IEndpointFilter
{
    private const string CallerKey = "drover.caller";

    /// <summary>The authenticated caller of this request.</summary>
    public static ApiCaller Caller(HttpContext context) =>
        context.Items[CallerKey] as ApiCaller ?? throw new InvalidOperationException("the endpoint has no role filter");

    /// <summary>The bearer token of a request (<c>Authorization: Bearer …</c>), or null when it sends none.</summary>
    public static string? BearerToken(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        const string scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        var outcome = await authenticator.AuthenticateAsync(http.Request, http.RequestAborted).ConfigureAwait(false);
        if (outcome.Caller is not { } caller)
        {
            if (outcome.Status == StatusCodes.Status401Unauthorized)
            {
                http.Response.Headers.WWWAuthenticate = outcome.BearerPresented ? "Bearer error=\"invalid_token\"" : "Bearer";
            }

            return Results.Json(new { error = outcome.Error }, statusCode: outcome.Status);
        }

        if (caller.Role < role)
        {
            var who = caller.Actor.StartsWith("sso:", StringComparison.Ordinal) ? $"user '{caller.Name}'" : $"token '{caller.Name}'";
            return Results.Json(new { error = $"forbidden: {who} is {caller.Role.ToString().ToLowerInvariant()}, this needs {role.ToString().ToLowerInvariant()}" }, statusCode: StatusCodes.Status403Forbidden);
        }

        http.Items[CallerKey] = caller;
        return await next(context).ConfigureAwait(false);
    }
}
