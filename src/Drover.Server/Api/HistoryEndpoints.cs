using System.Globalization;
using Drover.Server.Auth;
using Drover.Server.History;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// <c>GET /api/v1/history?from=&amp;step=</c> (viewer): this replica's samples of the fleet (<see cref="FleetHistory"/>)
/// taken at or after <c>from</c> (an instant; default one hour ago), at most one per <c>step</c> seconds (default the
/// sample interval), oldest first. What the dashboard's charts draw.
/// </summary>
internal static class HistoryEndpoints
{
    /// <summary>The longest step: one day.</summary>
    public const int MaxStepSeconds = 86_400;

    public static void Map(WebApplication app, ServerState server, FleetHistory history)
    {
        var api = app.MapGroup("/api/v1").AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Viewer));
        api.MapGet("/history", (string? from, string? step) =>
        {
            var now = server.Time.GetUtcNow();
            var start = now - TimeSpan.FromHours(1);
            if (from is not null
                && !DateTimeOffset.TryParse(from, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start))
            {
                return Error($"from: '{from}' is not an instant; write e.g. 2026-12-01T08:00:00Z");
            }

            var every = history.Interval;
            if (step is not null)
            {
                if (!int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds is < 1 or > MaxStepSeconds)
                {
                    return Error($"step: '{step}' is not a whole number of seconds between 1 and {MaxStepSeconds}");
                }

                every = TimeSpan.FromSeconds(Math.Max(seconds, history.Interval.TotalSeconds));
            }

            return Results.Json(new
            {
                from = start,
                to = now,
                step = every.TotalSeconds,
                interval = history.Interval.TotalSeconds,
                retention = history.Retention.TotalSeconds,
                samples = history.Read(start, every),
            });
        });
    }

    private static IResult Error(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);
}
