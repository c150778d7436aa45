using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// The instance-facing endpoint of <c>/api/v1</c>: <c>GET /api/v1/bootstrap/credential</c>, where an instance that
/// boots far from Drover (a cloud VM, an external provider's instance) trades the one-time bootstrap token from its
/// user data for its runner credential. It takes no API token: the bootstrap token is the caller's proof. Only the
/// leader holds tokens (it issued them); a follower says so with 503 and <c>Retry-After</c> so the instance retries.
/// </summary>
internal static class BootstrapEndpoints
{
    /// <summary>Seconds a follower asks an instance to wait before it asks again.</summary>
    internal const int FollowerRetryAfterSeconds = 5;

    public static void Map(WebApplication app, ServerState server)
    {
        app.MapGet("/api/v1/bootstrap/credential", (HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store";
            if (server.Election.Role != LeaderRole.Leader)
            {
                http.Response.Headers.RetryAfter = FollowerRetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return Results.Json(new { error = "this replica is not the leader; bootstrap tokens are held by the leader, retry" }, statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            var token = BearerToken(http.Request);
            var session = server.Bootstrap.Authenticate(token);
            var credential = server.Bootstrap.TakeCredential(token);
            if (session is null || credential is null)
            {
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Results.Json(new { error = "bootstrap token not valid: unknown, expired, already used or its runner is gone" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            return Results.Json(new { runner = session.RunnerName, pool = session.Pool, kind = credential.Kind, credential = credential.Reveal() });
        });
    }

    /// <summary>The bearer token of a request, or null when it sends none.</summary>
    internal static string? BearerToken(HttpRequest request)
    {
        const string scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}
