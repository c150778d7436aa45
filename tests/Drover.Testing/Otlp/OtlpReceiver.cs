using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Drover.Testing.Otlp;

/// <summary>
/// An OTLP/HTTP receiver on 127.0.0.1 (protobuf bodies, <c>POST /v1/traces</c> and <c>/v1/metrics</c>) that decodes
/// what arrives into spans and metric names, for tests of OpenTelemetry export.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedSpan> _spans = new();
    private readonly ConcurrentQueue<(IReadOnlyDictionary<string, string> Resource, string Name)> _metrics = new();
    private readonly ConcurrentQueue<string> _errors = new();

    private OtlpReceiver(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The base URL, for <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>.</summary>
    public Uri Url { get; }

    /// <summary>Every span received so far.</summary>
    public IReadOnlyList<ReceivedSpan> Spans => [.. _spans];

    /// <summary>The name of every metric data set received so far, with its resource's attributes.</summary>
    public IReadOnlyList<(IReadOnlyDictionary<string, string> Resource, string Name)> Metrics => [.. _metrics];

    /// <summary>Requests that could not be decoded, in words.</summary>
    public IReadOnlyList<string> Errors => [.. _errors];

    /// <summary>How many export requests arrived, per path.</summary>
    public ConcurrentDictionary<string, int> Requests { get; } = new(StringComparer.Ordinal);

    public static async Task<OtlpReceiver> StartAsync()
    {
        OtlpReceiver? receiver = null;
        var (app, url) = await LoopbackApp.StartAsync(app =>
        {
            app.MapPost("/v1/traces", (Func<HttpContext, Task<IResult>>)(http => receiver!.ReceiveAsync(http, receiver.DecodeTraces)));
            app.MapPost("/v1/metrics", (Func<HttpContext, Task<IResult>>)(http => receiver!.ReceiveAsync(http, receiver.DecodeMetrics)));
        });
        receiver = new OtlpReceiver(app, url);
        return receiver;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task<IResult> ReceiveAsync(HttpContext http, Action<ReadOnlyMemory<byte>> decode)
    {
        Requests.AddOrUpdate(http.Request.Path, 1, (_, n) => n + 1);
        if (http.Request.ContentType is not "application/x-protobuf")
        {
            _errors.Enqueue($"{http.Request.Path}: content type {http.Request.ContentType}");
            return Results.StatusCode(StatusCodes.Status415UnsupportedMediaType);
        }

        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        try
        {
            decode(body.ToArray());
        }
        catch (FormatException e)
        {
            _errors.Enqueue($"{http.Request.Path}: {e.Message}");
            return Results.BadRequest();
        }

        // An empty Export*ServiceResponse: everything accepted.
        return Results.Bytes([], "application/x-protobuf");
    }

    private void DecodeTraces(ReadOnlyMemory<byte> request)
    {
        foreach (var resourceSpans in ProtoFields.Read(request).Where(f => f.Number == 1))
        {
            var fields = ProtoFields.Read(resourceSpans.Bytes);
            var resource = Resource(fields);
            foreach (var scopeSpans in fields.Where(f => f.Number == 2))
            {
                foreach (var span in ProtoFields.Read(scopeSpans.Bytes).Where(f => f.Number == 2))
                {
                    var s = ProtoFields.Read(span.Bytes);
                    _spans.Enqueue(new ReceivedSpan(
                        s.Where(f => f.Number == 1).Select(f => f.Hex).SingleOrDefault() ?? string.Empty,
                        s.Where(f => f.Number == 2).Select(f => f.Hex).SingleOrDefault() ?? string.Empty,
                        s.Where(f => f.Number == 4).Select(f => f.Hex).SingleOrDefault() ?? string.Empty,
                        s.Where(f => f.Number == 5).Select(f => f.Text).SingleOrDefault() ?? string.Empty,
                        s.Where(f => f.Number == 7).Select(f => f.Number64).SingleOrDefault(),
                        s.Where(f => f.Number == 8).Select(f => f.Number64).SingleOrDefault(),
                        Attributes(s, 9),
                        [.. s.Where(f => f.Number == 11).Select(e => ProtoFields.Read(e.Bytes).Where(f => f.Number == 2).Select(f => f.Text).Single())],
                        resource));
                }
            }
        }
    }

    private void DecodeMetrics(ReadOnlyMemory<byte> request)
    {
        foreach (var resourceMetrics in ProtoFields.Read(request).Where(f => f.Number == 1))
        {
            var fields = ProtoFields.Read(resourceMetrics.Bytes);
            var resource = Resource(fields);
            foreach (var scopeMetrics in fields.Where(f => f.Number == 2))
            {
                foreach (var metric in ProtoFields.Read(scopeMetrics.Bytes).Where(f => f.Number == 2))
                {
                    _metrics.Enqueue((resource, ProtoFields.Read(metric.Bytes).Single(f => f.Number == 1).Text));
                }
            }
        }
    }

    private static Dictionary<string, string> Resource(List<ProtoFields.Field> fields) =>
        fields.Where(f => f.Number == 1).Select(f => Attributes(ProtoFields.Read(f.Bytes), 1)).FirstOrDefault() ?? [];

    /// <summary>The KeyValue fields numbered <paramref name="number"/>, values as text (strings as they are, numbers in decimal).</summary>
    private static Dictionary<string, string> Attributes(List<ProtoFields.Field> fields, int number)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in fields.Where(f => f.Number == number))
        {
            var kv = ProtoFields.Read(pair.Bytes);
            var key = kv.Single(f => f.Number == 1).Text;
            var value = kv.Where(f => f.Number == 2).Select(f => ProtoFields.Read(f.Bytes).FirstOrDefault()).FirstOrDefault();
            attributes[key] = value.Number switch
            {
                1 => value.Text,
                2 or 3 => value.Number64.ToString(System.Globalization.CultureInfo.InvariantCulture),
                4 => BitConverter.UInt64BitsToDouble(value.Number64).ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => string.Empty,
            };
        }

        return attributes;
    }
}
