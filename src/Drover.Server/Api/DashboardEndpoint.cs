using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>Serves the dashboard page (embedded static HTML and vanilla JS) at <c>/</c>.</summary>
internal static class DashboardEndpoint
{
    /// <summary>The dashboard's "Sign in" link, shown only when single sign-on can sign users in.</summary>
    internal const string SignInLink = "<a id=\"sso-login\" href=\"/auth/login\" hidden>";

    public static void Map(WebApplication app, bool demo, bool signIn = false)
    {
        using var stream = typeof(DashboardEndpoint).Assembly.GetManifestResourceStream("Drover.Server.Dashboard.index.html")
            ?? throw new InvalidOperationException("the embedded dashboard is missing from the Drover.Server assembly");
        using var reader = new StreamReader(stream);
        var html = reader.ReadToEnd().Replace("data-demo=\"false\"", demo ? "data-demo=\"true\"" : "data-demo=\"false\"", StringComparison.Ordinal);
        if (signIn)
        {
            html = html.Replace(SignInLink, SignInLink.Replace(" hidden>", ">", StringComparison.Ordinal), StringComparison.Ordinal);
        }

        app.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
    }
}
