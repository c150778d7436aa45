using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Engine.Metrics;
using Drover.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Drover.Server.Api;

/// <summary>
/// The one webhook ingest path, <c>POST /webhooks/{route}/{forge}</c>, for every forge kind: the forge's module says how
/// its webhooks arrive (<see cref="WebhookProtocol"/>: the route segment, the delivery-id headers, the headers kept), so
/// the server knows no forge. A delivery for a configured forge whose protocol names that route is verified by the
/// forge's adapter (when it is an
/// <see cref="IWebhookReceiver"/>: GitHub's HMAC signature, GitLab's token — a refusal is answered 401 or 400 and
/// nothing is stored), checked to be valid UTF-8 without unpaired surrogate escapes (<see cref="BodyText"/>; else 400),
/// stored raw (a few selected headers and the body) and answered with 202 at once; a repeated
/// delivery id is answered with 200 and stored only once. The leader's control loop then turns stored deliveries into
/// job events (see <c>DeliveryIntake</c>); this replica wakes its loop at once, other replicas' leaders notice within
/// a second.
/// </summary>
/// <remarks>These routes take no bearer token: forges authenticate with their own webhook secrets.</remarks>
internal static class WebhookEndpoints
{
    /// <summary>The largest body accepted, in bytes (1 MiB).</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>The longest delivery id accepted, in characters.</summary>
    public const int MaxDeliveryIdLength = 200;

    /// <summary>
    /// Headers never kept, whatever a protocol lists: they carry webhook secrets (signatures, tokens), and secrets are
    /// never stored.
    /// </summary>
    private static readonly HashSet<string> _secretHeaders = new(["X-Hub-Signature", "X-Hub-Signature-256", "X-Gitlab-Token", "Authorization"], StringComparer.OrdinalIgnoreCase);

    public static void Map(WebApplication app, ServerState server, EngineMetrics metrics, AdapterModules modules)
    {
        app.MapPost("/webhooks/{route}/{forge}", (string route, string forge, HttpContext http, CancellationToken ct) =>
            ReceiveAsync(server, metrics, modules, route, forge, http, ct));
    }

    private static async Task<IResult> ReceiveAsync(ServerState server, EngineMetrics metrics, AdapterModules modules, string route, string forge, HttpContext http, CancellationToken ct)
    {
        var configured = server.Loop.Snapshot.Config.Forges.FirstOrDefault(f => f.Name == forge);
        var module = configured is null ? null : modules.Forge(configured.Kind);
        var protocol = module?.Webhooks;

        // Not counted in metrics: a label per unknown name would let any caller grow the metric without bound.
        if (configured is null)
        {
            return Error(StatusCodes.Status404NotFound, $"no forge named '{forge}' in the fleet");
        }

        if (protocol is null)
        {
            return Error(StatusCodes.Status404NotFound, $"forge '{forge}' ({configured.Kind.ToString().ToLowerInvariant()}) takes no webhooks in this build");
        }

        if (!string.Equals(protocol.Route, route, StringComparison.Ordinal))
        {
            return Error(StatusCodes.Status404NotFound, $"forge '{forge}' is a {module!.Name} forge, not {route}; send its webhooks to /webhooks/{protocol.Route}/{forge}");
        }

        if (http.Request.ContentLength > MaxBodyBytes)
        {
            return Rejected(metrics, forge, TooLarge());
        }

        var body = await ReadBodyAsync(http, ct).ConfigureAwait(false);
        if (body is null)
        {
            return Rejected(metrics, forge, TooLarge());
        }

        var receiver = server.Loop.Adapters.Forge(forge) as IWebhookReceiver;
        if (receiver is not null)
        {
            var headers = http.Request.Headers;
            var verdict = receiver.Verify(name => headers.TryGetValue(name, out var value) ? value.ToString() : null, body);
            if (!verdict.IsAccepted)
            {
                return Rejected(metrics, forge, Error(verdict.Status, verdict.Problem ?? "rejected"));
            }
        }

        if (BodyText.Problem(body) is { } textProblem)
        {
            return Rejected(metrics, forge, Error(StatusCodes.Status400BadRequest, textProblem));
        }

        var (deliveryId, idError) = DeliveryId(protocol, http.Request.Headers);
        if (idError is not null && receiver is not null)
        {
            try
            {
                if (receiver.DeliveryIdFromBody(body) is { } derived)
                {
                    (deliveryId, idError) = (derived, null);
                }
            }
            catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
            {
                // The body names no delivery id the forge can read: the caller has to send the header.
                idError = $"{idError} (the body does not give one: {e.Message})";
            }
        }

        if (idError is not null)
        {
            return Rejected(metrics, forge, Error(StatusCodes.Status400BadRequest, idError));
        }

        if (body.Length == 0)
        {
            return Rejected(metrics, forge, Error(StatusCodes.Status400BadRequest, "body: empty; a webhook delivery carries a payload"));
        }

        var delivery = new WebhookDelivery
        {
            Forge = forge,
            DeliveryId = deliveryId!,
            ReceivedAt = server.Time.GetUtcNow(),
            HeadersJson = HeadersJson(protocol, http.Request.Headers),
            Body = body,
        };
        var stored = await server.Deliveries.StoreAsync(delivery, ct).ConfigureAwait(false);
        metrics.WebhookDelivery(forge, stored ? "stored" : "duplicate");
        if (stored)
        {
            server.Loop.Wake();
        }

        return stored
            ? Results.Json(new { forge, delivery = deliveryId, accepted = true }, statusCode: StatusCodes.Status202Accepted)
            : Results.Json(new { duplicate = true });
    }

    /// <summary>The first delivery-id header of <paramref name="protocol"/> that is present.</summary>
    private static (string? Id, string? Error) DeliveryId(WebhookProtocol protocol, IHeaderDictionary headers)
    {
        var names = protocol.DeliveryIdHeaders;
        foreach (var name in names)
        {
            var value = headers[name].ToString().Trim();
            if (value.Length == 0)
            {
                continue;
            }

            return value.Length > MaxDeliveryIdLength
                ? (null, $"header {name}: longer than {MaxDeliveryIdLength} characters")
                : (value, null);
        }

        return (null, $"missing delivery id: send header {string.Join(" or ", names)}");
    }

    /// <summary>Reads the body; null when it is larger than <see cref="MaxBodyBytes"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes + 1;
        }

        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxBodyBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }

        return buffer.ToArray();
    }

    /// <summary>The protocol's kept headers that are present, as a JSON object; secret-bearing headers never.</summary>
    private static string HeadersJson(WebhookProtocol protocol, IHeaderDictionary headers)
    {
        using var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (var name in protocol.KeptHeaders)
            {
                if (_secretHeaders.Contains(name))
                {
                    continue;
                }

                if (headers.TryGetValue(name, out var value) && value.Count > 0)
                {
                    writer.WriteString(name, value.ToString());
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(json.ToArray());
    }

    private static IResult Rejected(EngineMetrics metrics, string forge, IResult result)
    {
        metrics.WebhookDelivery(forge, "rejected");
        return result;
    }

    private static IResult TooLarge() => Error(StatusCodes.Status413PayloadTooLarge, $"body: larger than {MaxBodyBytes} bytes");

    private static IResult Error(int status, string message) => Results.Json(new { error = message }, statusCode: status);
}
