using Drover.Server.Hosting;
using Drover.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary><c>/healthz</c> (process alive), <c>/readyz</c> (store reachable) and <c>/metrics</c> (Prometheus text).</summary>
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
                return Results.Text($"ready: state store schema {version}\n");
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
