using System.Text.Json;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Server.Api;

/// <summary>
/// The mutating part of <c>/api/v1</c>: drain and resume a pool, delete a runner and requeue a quarantined webhook
/// delivery (operator), reload the configuration
/// (admin). Bodies are optional JSON objects (<c>{"reason": "..."}</c>) of at most <see cref="MaxBodyBytes"/>, in valid
/// UTF-8 without unpaired surrogate escapes (<see cref="BodyText"/>). A pool or runner that does not exist is 404.
/// Every accepted call is appended to the event log under the caller's token name.
/// </summary>
internal static class AdminEndpoints
{
    public const int MaxBodyBytes = 16 * 1024;

    public static void Map(WebApplication app, ServerState server)
    {
        var api = app.MapGroup("/api/v1");
        api.MapPost("/pools/{name}/drain", async (string name, HttpContext http, CancellationToken ct) =>
        {
            var (reason, error) = await ReadReasonAsync(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (server.Loop.Snapshot.Config.FindPool(name) is null)
            {
                return NotFound($"no pool named '{name}'");
            }

            var (actor, at) = (Actor(http), server.Time.GetUtcNow());
            var message = reason ?? "drained";
            await server.Loop.SubmitAsync(
                new AdminRequest(AdminRequestKind.Drain, name, actor, at, message), new NewEvent(at, actor, EventKinds.ApiPoolDrain, name, message), ct).ConfigureAwait(false);
            return Results.Json(new { pool = name, drained = true }, statusCode: StatusCodes.Status202Accepted);
        }).AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Operator));

        api.MapPost("/pools/{name}/resume", async (string name, HttpContext http, CancellationToken ct) =>
        {
            var (reason, error) = await ReadReasonAsync(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (server.Loop.Snapshot.Config.FindPool(name) is null)
            {
                return NotFound($"no pool named '{name}'");
            }

            var (actor, at) = (Actor(http), server.Time.GetUtcNow());
            var resumed = await server.Loop.WithdrawAsync(
                AdminRequestKind.Drain, name, new NewEvent(at, actor, EventKinds.ApiPoolResume, name, reason ?? "resumed"), ct).ConfigureAwait(false);
            return resumed
                ? Results.Json(new { pool = name, drained = false }, statusCode: StatusCodes.Status202Accepted)
                : Results.Json(new { error = $"pool '{name}' is not drained" }, statusCode: StatusCodes.Status409Conflict);
        }).AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Operator));

        api.MapPost("/runners/{id}/delete", async (string id, HttpContext http, CancellationToken ct) =>
        {
            var (reason, error) = await ReadReasonAsync(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            if (await server.Store.GetRunnerAsync(id, ct).ConfigureAwait(false) is not { } runner)
            {
                return NotFound($"no runner with id '{id}'");
            }

            if (runner.State is RunnerState.Gone or RunnerState.Draining)
            {
                return Results.Json(new { error = $"runner '{id}' is already {runner.State.ToString().ToLowerInvariant()}" }, statusCode: StatusCodes.Status409Conflict);
            }

            var (actor, at) = (Actor(http), server.Time.GetUtcNow());
            var message = reason ?? "delete requested";
            await server.Loop.SubmitAsync(
                new AdminRequest(AdminRequestKind.DeleteRunner, id, actor, at, message), new NewEvent(at, actor, EventKinds.ApiRunnerDelete, id, message), ct).ConfigureAwait(false);
            return Results.Json(new { runner = id, deleting = true }, statusCode: StatusCodes.Status202Accepted);
        }).AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Operator));

        api.MapPost("/deliveries/{forge}/{id}/requeue", async (string forge, string id, HttpContext http, CancellationToken ct) =>
        {
            var (reason, error) = await ReadReasonAsync(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            var (actor, at) = (Actor(http), server.Time.GetUtcNow());
            var subject = $"{forge}/{id}";
            var requeued = await server.Store.InTransactionAsync(
                async (writer, t) =>
                {
                    if (!await writer.RequeueDeliveryAsync(forge, id, t).ConfigureAwait(false))
                    {
                        return false;
                    }

                    await writer.AppendEventAsync(new NewEvent(at, actor, EventKinds.ApiDeliveryRequeue, subject, reason ?? "requeued"), t).ConfigureAwait(false);
                    return true;
                },
                ct).ConfigureAwait(false);
            if (!requeued)
            {
                return await server.Store.GetDeliveryAsync(forge, id, ct).ConfigureAwait(false) is null
                    ? NotFound($"no delivery '{id}' of forge '{forge}'")
                    : Results.Json(new { error = $"delivery '{id}' of forge '{forge}' is not quarantined" }, statusCode: StatusCodes.Status409Conflict);
            }

            server.Loop.Wake();
            return Results.Json(new { forge, delivery = id, requeued = true }, statusCode: StatusCodes.Status202Accepted);
        }).AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Operator));

        api.MapPost("/reload", async (HttpContext http, CancellationToken ct) =>
        {
            var (reason, error) = await ReadReasonAsync(http.Request, ct).ConfigureAwait(false);
            if (error is not null)
            {
                return error;
            }

            var caller = RoleFilter.Caller(http);
            var loaded = await server.Reloader.ReloadAsync(caller.Actor, EventKinds.ApiReload, EventKinds.ApiReloadRejected, reason, ct).ConfigureAwait(false);
            if (loaded.Config is not { } config || !loaded.IsValid)
            {
                return Results.Json(new { error = "configuration invalid; the running one is kept", problems = loaded.Errors.Select(e => e.ToString()) }, statusCode: StatusCodes.Status400BadRequest);
            }

            return Results.Json(new { reloaded = true, pools = config.Pools.Count });
        }).AddEndpointFilter(new RoleFilter(server.Auth, ApiRole.Admin));
    }

    private static IResult NotFound(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status404NotFound);

    private static string Actor(HttpContext http) => RoleFilter.Caller(http).Actor;

    /// <summary>Reads the optional body: nothing, or a JSON object with an optional string <c>reason</c>.</summary>
    private static async Task<(string? Reason, IResult? Error)> ReadReasonAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                return (null, TooLarge());
            }
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        var bytes = buffer.ToArray();
        if (BodyText.Problem(bytes) is { } problem)
        {
            return (null, Bad(problem));
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Bad($"body: expected a JSON object like {{\"reason\": \"...\"}}, got {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"));
            }

            if (!document.RootElement.TryGetProperty("reason", out var reason))
            {
                return (null, null);
            }

            return reason.ValueKind == JsonValueKind.String
                ? (reason.GetString(), null)
                : (null, Bad($"body.reason: expected a string, got {reason.ValueKind.ToString().ToLowerInvariant()}"));
        }
        catch (JsonException e)
        {
            return (null, Bad($"body: not valid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}"));
        }
    }

    private static IResult Bad(string message) => Results.Json(new { error = message }, statusCode: StatusCodes.Status400BadRequest);

    private static IResult TooLarge() =>
        Results.Json(new { error = $"body: larger than {MaxBodyBytes} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
}
