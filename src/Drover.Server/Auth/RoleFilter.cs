using Microsoft.AspNetCore.Http;

namespace Drover.Server.Auth;

/// <summary>
/// Requires <c>Authorization: Bearer TOKEN</c> with at least <paramref name="role"/>: 401 without a known token,
/// 403 with a token of a lower role. The caller's token is left in <see cref="HttpContext.Items"/>.
/// </summary>
/// <param name="tokens">The configured tokens.</param>
/// <param name="role">The least role the endpoint needs.</param>
public sealed class RoleFilter(TokenRegistry tokens, ApiRole role) : IEndpointFilter
{
    private const string CallerKey = "drover.caller";

    /// <summary>The authenticated caller of this request.</summary>
    public static ApiToken Caller(HttpContext context) =>
        context.Items[CallerKey] as ApiToken ?? throw new InvalidOperationException("the endpoint has no role filter");

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
        var token = BearerToken(context.HttpContext.Request) is { } presented ? tokens.Find(presented) : null;
        if (token is null)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return Results.Json(new { error = "unauthenticated: send Authorization: Bearer <token>" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (token.Role < role)
        {
            return Results.Json(new { error = $"forbidden: token '{token.Name}' is {token.Role.ToString().ToLowerInvariant()}, this needs {role.ToString().ToLowerInvariant()}" }, statusCode: StatusCodes.Status403Forbidden);
        }

        context.HttpContext.Items[CallerKey] = token;
        return await next(context).ConfigureAwait(false);
    }
}
