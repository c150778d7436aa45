using Drover.Engine.Leadership;
using Drover.Server.Hosting;
using Drover.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// <c>/healthz</c> (process alive), <c>/readyz</c> (able to take webhooks and API calls: store reachable and this
/// replica's role known, leader or follower; a forge or provider outage does not make it unready — that is what
/// <c>GET /api/v1/health</c> reports) and <c>/metrics</c> (Prometheus text).
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(WebApplication app, ServerState state, PrometheusExporter exporter)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", async (CancellationToken ct) =>
        {
            try
            {
                var version = await state.Store.GetSchemaVersionAsync(ct).ConfigureAwait(false);
                var election = state.Election;
                return election.Role switch
                {
                    LeaderRole.Leader => Results.Text($"ready: leader ({election.Holder}); state store schema {version}\n"),
                    LeaderRole.Follower => Results.Text($"ready: follower of {election.Leader ?? "an unknown leader"} ({election.Holder}); state store schema {version}\n"),
                    _ => Results.Text($"not ready: leader election has not finished its first round ({election.Holder})\n", statusCode: StatusCodes.Status503ServiceUnavailable),
                };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The exception may carry connection details; only its type is reported.
                return Results.Text($"not ready: state store unreachable ({e.GetType().Name})\n", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        app.MapGet("/metrics", () => Results.Text(exporter.Render(), "text/plain; version=0.0.4; charset=utf-8"));
    }
}
