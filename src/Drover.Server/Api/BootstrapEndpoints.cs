using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Engine.Leadership;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Api;

/// <summary>
/// The instance-facing endpoints of <c>/api/v1</c>, where an instance that boots far from Drover (a cloud VM, an
/// external provider's instance) uses the bootstrap token from its user data. None takes an API token: the bootstrap
/// token is the caller's proof. Only the leader holds tokens (it issued them); a follower says so with 503 and
/// <c>Retry-After</c> so the instance retries.
/// <list type="bullet">
/// <item><c>GET /api/v1/bootstrap/credential</c>: the runner credential, once.</item>
/// <item>GARM's metadata and callback endpoints (<c>/api/v1/metadata/…</c>, <c>/api/v1/callbacks/…</c>, with or
/// without a trailing slash), which the bootstrap scripts of GARM's external providers call, with GARM's token rules:
/// valid only until the instance reports <c>idle</c> or <c>failed</c>, the registration token handed out once.</item>
/// </list>
/// </summary>
internal static partial class BootstrapEndpoints
{
    /// <summary>Seconds a follower asks an instance to wait before it asks again.</summary>
    internal const int FollowerRetryAfterSeconds = 5;

    /// <summary>The JIT configuration files GARM serves at <c>/metadata/credentials/{file}</c>.</summary>
    private static readonly string[] JitFiles = ["runner", "credentials", "credentials_rsaparams"];

    private const int MaxMessageLength = 1000;

    public static void Map(WebApplication app, ServerState server)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Bootstrap");

        app.MapGet("/api/v1/bootstrap/credential", (HttpContext http) =>
        {
            if (Refusal(http, server) is { } refused)
            {
                return refused;
            }

            var token = RoleFilter.BearerToken(http.Request);
            var session = server.Bootstrap.Authenticate(token);
            var credential = server.Bootstrap.TakeCredential(token);
            if (session is null || credential is null)
            {
                return Unauthorized(http, "bootstrap token not valid: unknown, expired, already used or its runner is gone");
            }

            return Results.Json(new { runner = session.RunnerName, pool = session.Pool, kind = credential.Kind, credential = credential.Reveal() });
        });

        Get(app, server, "/api/v1/metadata/runner-registration-token", (http, session, token) =>
        {
            if (session.CredentialKind == JitConfig)
            {
                return Results.Json(new { error = "this instance is configured for JIT: fetch its files from /api/v1/metadata/credentials/{runner,credentials,credentials_rsaparams}" }, statusCode: StatusCodes.Status400BadRequest);
            }

            // GARM answers the bare token (no JSON quoting) with a JSON content type; its scripts read the body as is.
            return server.Bootstrap.TakeCredential(token) is { } credential
                ? Results.Text(credential.Reveal(), "application/json", Encoding.UTF8)
                : Unauthorized(http, "the registration token of this instance was already fetched");
        });

        Get(app, server, "/api/v1/metadata/credentials/{file}", (http, session, token) =>
        {
            var file = (string)http.Request.RouteValues["file"]!;
            if (session.CredentialKind != JitConfig)
            {
                return Results.Json(new { error = "instance not configured for JIT" }, statusCode: StatusCodes.Status404NotFound);
            }

            if (!JitFiles.Contains(file, StringComparer.Ordinal))
            {
                return Results.Json(new { error = $"no JIT file '{file}'; the files are {string.Join(", ", JitFiles)}" }, statusCode: StatusCodes.Status404NotFound);
            }

            if (server.Bootstrap.ReadCredential(token) is not { } credential)
            {
                return Unauthorized(http, "the credential of this instance was already taken");
            }

            return JitFile(credential, file) is { } content
                ? Results.File(content, "application/octet-stream", "." + file)
                : Results.Json(new { error = $"the runner's JIT configuration has no .{file} file" }, statusCode: StatusCodes.Status404NotFound);
        });

        Get(app, server, "/api/v1/metadata/system/service-name", (http, session, _) =>
            Pool(server, session) is { } pool
                ? Results.Text(ServiceName(pool.Scope), "text/plain", Encoding.UTF8)
                : Results.Json(new { error = $"pool {session.Pool} is no longer configured" }, statusCode: StatusCodes.Status404NotFound));

        Get(app, server, "/api/v1/metadata/systemd/unit-file", (http, session, _) =>
        {
            var user = http.Request.Query["runAsUser"].ToString();
            user = user.Length == 0 ? "runner" : user;
            if (!UserName().IsMatch(user))
            {
                return Results.Json(new { error = $"runAsUser '{user}' is not a user name (lower-case letters, digits, '-' and '_')" }, statusCode: StatusCodes.Status400BadRequest);
            }

            var service = Pool(server, session) is { } pool ? ServiceName(pool.Scope) : "actions.runner";
            return Results.Text(UnitFile(service, user), "text/plain", Encoding.UTF8);
        });

        Get(app, server, "/api/v1/metadata/system/cert-bundle", (_, _, _) =>
            Results.Json(new { root_certificates = new Dictionary<string, string>() }));

        Get(app, server, "/api/v1/metadata/runner-metadata", (http, session, _) =>
        {
            var pool = Pool(server, session);
            var forge = pool is null ? null : server.Loop.Snapshot.Config.FindForge(pool.Forge);
            var root = $"{http.Request.Scheme}://{http.Request.Host}/api/v1";
            return Results.Json(new
            {
                metadata_access = new { callback_url = root + "/callbacks", metadata_url = root + "/metadata", agent_url = string.Empty },
                forge_type = forge?.Kind.ToString().ToLowerInvariant() ?? string.Empty,
                runner_registration_url = string.Empty,
                runner_name = session.RunnerName,
                runner_labels = pool?.Labels ?? [],
                ca_bundles = new Dictionary<string, string>(),
                extra_specs = new Dictionary<string, string>(),
                agent_mode = false,
                jit_enabled = session.CredentialKind == JitConfig,
            });
        });

        Get(app, server, "/api/v1/metadata/install-script", (_, _, _) =>
            Results.Json(
                new { error = "no runner install template: Drover does not render install scripts; the provider's own template (or the pool's extra specs runner_install_template) installs the runner" },
                statusCode: StatusCodes.Status409Conflict));

        Post(app, server, "/api/v1/callbacks/status", async (http, _, token) =>
        {
            var body = await BodyAsync(http).ConfigureAwait(false);
            if (body is null)
            {
                return BadBody();
            }

            var status = Text(body.Value, "status");
            var message = Bound(Text(body.Value, "message"));
            var previous = server.Bootstrap.Authenticate(token);
            switch (server.Bootstrap.ReportStatus(token, status, out var session))
            {
                case BootstrapStatusReport.InvalidToken:
                    return Unauthorized(http, "bootstrap token not valid: unknown, expired, or the instance's bootstrap is over");
                case BootstrapStatusReport.InvalidTransition:
                    BootstrapLog.StatusRefused(logger, session!.RunnerName, session.Pool, status, previous?.Status ?? BootstrapStatus.Pending);
                    return Results.Json(new { error = $"invalid runner status transition from {previous?.Status} to {status}" }, statusCode: StatusCodes.Status400BadRequest);
                default:
                    if (status == BootstrapStatus.Failed)
                    {
                        BootstrapLog.Failed(logger, session!.RunnerName, session.Pool, message);
                    }
                    else
                    {
                        BootstrapLog.Status(logger, session!.RunnerName, session.Pool, status.Length == 0 ? "a message" : status, message);
                    }

                    return Results.Ok();
            }
        });

        Post(app, server, "/api/v1/callbacks/system-info", async (http, session, _) =>
        {
            var body = await BodyAsync(http).ConfigureAwait(false);
            if (body is null)
            {
                return BadBody();
            }

            var name = Bound(Text(body.Value, "os_name"));
            var version = Bound(Text(body.Value, "os_version"));
            if (name.Length > 0 || version.Length > 0)
            {
                BootstrapLog.SystemInfo(logger, session.RunnerName, session.Pool, name, version);
            }

            return Results.Ok();
        });
    }

    /// <summary>The systemd service name GARM gives a runner of <paramref name="scope"/> (its scripts append <c>.service</c>).</summary>
    internal static string ServiceName(PoolScope scope) => scope.Kind switch
    {
        ScopeKind.Repository => "actions.runner." + scope.Path.Replace('/', '.'),
        ScopeKind.Organization or ScopeKind.Enterprise => "actions.runner." + scope.Path,
        _ => "gitlab-runner",
    };

    /// <summary>One file of a GitHub JIT configuration (base64 of a JSON object whose <c>.runner</c>, <c>.credentials</c>, … are base64); null when it has none.</summary>
    internal static byte[]? JitFile(RunnerCredential credential, string file)
    {
        try
        {
            using var config = JsonDocument.Parse(Convert.FromBase64String(credential.Reveal()));
            return config.RootElement.ValueKind == JsonValueKind.Object
                && config.RootElement.TryGetProperty("." + file, out var value) && value.ValueKind == JsonValueKind.String
                ? Convert.FromBase64String(value.GetString()!)
                : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return null;
        }
    }

    private const string JitConfig = "jit-config";

    private static void Get(WebApplication app, ServerState server, string path, Func<HttpContext, InstanceBootstrapSession, string, IResult> handle)
    {
        // ASP.NET Core routing matches the path with and without a trailing slash, as GARM routes both.
        app.MapGet(path, (HttpContext http) =>
        {
            if (Refusal(http, server) is { } refused)
            {
                return refused;
            }

            var token = RoleFilter.BearerToken(http.Request);
            return server.Bootstrap.Authenticate(token) is { } session
                ? handle(http, session, token!)
                : Unauthorized(http, "bootstrap token not valid: unknown, expired, or the instance's bootstrap is over");
        });
    }

    private static void Post(WebApplication app, ServerState server, string path, Func<HttpContext, InstanceBootstrapSession, string, Task<IResult>> handle)
    {
        app.MapPost(path, async (HttpContext http) =>
        {
            if (Refusal(http, server) is { } refused)
            {
                return refused;
            }

            var token = RoleFilter.BearerToken(http.Request);
            return server.Bootstrap.Authenticate(token) is { } session
                ? await handle(http, session, token!).ConfigureAwait(false)
                : Unauthorized(http, "bootstrap token not valid: unknown, expired, or the instance's bootstrap is over");
        });
    }

    /// <summary>No caching of anything here; and on a follower, 503 with Retry-After.</summary>
    private static IResult? Refusal(HttpContext http, ServerState server)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (server.Election.Role == LeaderRole.Leader)
        {
            return null;
        }

        http.Response.Headers.RetryAfter = FollowerRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Results.Json(new { error = "this replica is not the leader; bootstrap tokens are held by the leader, retry" }, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    private static IResult Unauthorized(HttpContext http, string details)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Json(new { error = "Authentication failed", details }, statusCode: StatusCodes.Status401Unauthorized);
    }

    private static PoolConfig? Pool(ServerState server, InstanceBootstrapSession session) => server.Loop.Snapshot.Config.FindPool(session.Pool);

    private static async Task<JsonElement?> BodyAsync(HttpContext http)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted).ConfigureAwait(false);
            return document.RootElement.ValueKind == JsonValueKind.Object ? document.RootElement.Clone() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult BadBody() => Results.Json(new { error = "the body must be a JSON object" }, statusCode: StatusCodes.Status400BadRequest);

    private static string Text(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : string.Empty;

    private static string Bound(string text) => text.Length <= MaxMessageLength ? text : text[..MaxMessageLength] + "…";

    private static string UnitFile(string service, string user) => $"""
        [Unit]
        Description=GitHub Actions Runner ({service})
        After=network.target

        [Service]
        ExecStart=/home/{user}/actions-runner/runsvc.sh
        User={user}
        WorkingDirectory=/home/{user}/actions-runner
        KillMode=process
        KillSignal=SIGTERM
        TimeoutStopSec=5min

        [Install]
        WantedBy=multi-user.target

        """;

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();
}
