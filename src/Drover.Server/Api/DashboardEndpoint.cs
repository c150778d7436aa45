using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>Serves the dashboard page (embedded static HTML and vanilla JS) at <c>/</c>.</summary>
internal static class DashboardEndpoint
{
    public static void Map(WebApplication app, bool demo)
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("Drover.Server.Dashboard.index.html")
            ?? throw new InvalidOperationException("the embedded dashboard is missing from the Drover.Server assembly");
        using var reader = new StreamReader(stream);
        var html = reader.ReadToEnd().Replace("data-demo=\"false\"", demo ? "data-demo=\"true\"" : "data-demo=\"false\"", StringComparison.Ordinal);
        app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
    }
}
