using System.Globalization;
using Drover.Core.Adapters;
using OpenTelemetry.Exporter;

namespace Drover.Server.Hosting;

/// <summary>
/// OTLP export of Drover's traces and metrics, as the standard <c>OTEL_*</c> environment variables configure it
/// (docs/operations.md, OpenTelemetry). Off unless an OTLP endpoint is set; a value Drover cannot honour is a
/// configuration error naming the variable, so a typo never silently turns export off.
/// </summary>
internal sealed record OpenTelemetryOptions
{
    /// <summary>The default <c>service.name</c>.</summary>
    public const string DefaultServiceName = "drover";

    /// <summary>Where traces go; null: traces are not exported.</summary>
    public Uri? TracesEndpoint { get; init; }

    /// <summary>Where metrics go; null: metrics are not exported.</summary>
    public Uri? MetricsEndpoint { get; init; }

    /// <summary>OTLP over gRPC or over HTTP with protobuf bodies.</summary>
    public OtlpExportProtocol Protocol { get; init; } = OtlpExportProtocol.HttpProtobuf;

    /// <summary>Headers sent with every export (<c>OTEL_EXPORTER_OTLP_HEADERS</c>; may hold credentials: never logged).</summary>
    public string? Headers { get; init; }

    /// <summary>The resource's <c>service.name</c>.</summary>
    public string ServiceName { get; init; } = DefaultServiceName;

    /// <summary>More resource attributes (<c>OTEL_RESOURCE_ATTRIBUTES</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, object>> ResourceAttributes { get; init; } = [];

    /// <summary>How often metrics are exported (<c>OTEL_METRIC_EXPORT_INTERVAL</c>, milliseconds; 60 s unless set).</summary>
    public TimeSpan MetricExportInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long one export may take (<c>OTEL_EXPORTER_OTLP_TIMEOUT</c>, milliseconds; 10 s unless set).</summary>
    public TimeSpan ExportTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Reads the <c>OTEL_*</c> variables through <paramref name="environment"/>; null when nothing is to be exported
    /// (no endpoint, both signals <c>none</c>, or <c>OTEL_SDK_DISABLED=true</c>).
    /// </summary>
    /// <exception cref="AdapterConfigurationException">A variable holds a value Drover cannot honour; the message names it.</exception>
    public static OpenTelemetryOptions? FromEnvironment(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Read(string name) => environment(name) is { Length: > 0 } value ? value.Trim() : null;

        if (Read("OTEL_SDK_DISABLED") is { } disabled)
        {
            if (string.Equals(disabled, "true", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            if (!string.Equals(disabled, "false", StringComparison.OrdinalIgnoreCase))
            {
                throw Invalid("OTEL_SDK_DISABLED", disabled, "true or false");
            }
        }

        var protocol = Read("OTEL_EXPORTER_OTLP_PROTOCOL") switch
        {
            null or "http/protobuf" => OtlpExportProtocol.HttpProtobuf,
            "grpc" => OtlpExportProtocol.Grpc,
            var other => throw Invalid("OTEL_EXPORTER_OTLP_PROTOCOL", other, "grpc or http/protobuf (http/json is not supported)"),
        };
        var baseEndpoint = Read("OTEL_EXPORTER_OTLP_ENDPOINT") is { } b ? Endpoint("OTEL_EXPORTER_OTLP_ENDPOINT", b) : null;
        var traces = Signal(Read, "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", baseEndpoint, protocol, "v1/traces");
        var metrics = Signal(Read, "OTEL_METRICS_EXPORTER", "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", baseEndpoint, protocol, "v1/metrics");
        if (traces is null && metrics is null)
        {
            return null;
        }

        return new OpenTelemetryOptions
        {
            TracesEndpoint = traces,
            MetricsEndpoint = metrics,
            Protocol = protocol,
            Headers = Read("OTEL_EXPORTER_OTLP_HEADERS"),
            ServiceName = Read("OTEL_SERVICE_NAME") ?? DefaultServiceName,
            ResourceAttributes = Attributes(Read("OTEL_RESOURCE_ATTRIBUTES")),
            MetricExportInterval = Milliseconds("OTEL_METRIC_EXPORT_INTERVAL", Read("OTEL_METRIC_EXPORT_INTERVAL")) ?? TimeSpan.FromSeconds(60),
            ExportTimeout = Milliseconds("OTEL_EXPORTER_OTLP_TIMEOUT", Read("OTEL_EXPORTER_OTLP_TIMEOUT")) ?? TimeSpan.FromSeconds(10),
        };
    }

    /// <summary>
    /// One signal's endpoint: its own variable as given, else the base endpoint (with <paramref name="path"/> appended
    /// for OTLP/HTTP, as the specification says); null when the signal's exporter is <c>none</c> or no endpoint is set.
    /// </summary>
    private static Uri? Signal(Func<string, string?> read, string exporterVariable, string endpointVariable, Uri? baseEndpoint, OtlpExportProtocol protocol, string path)
    {
        switch (read(exporterVariable))
        {
            case null or "otlp":
                break;
            case "none":
                return null;
            case var other:
                throw Invalid(exporterVariable, other, "otlp or none (Prometheus metrics are always served at /metrics)");
        }

        if (read(endpointVariable) is { } own)
        {
            return Endpoint(endpointVariable, own);
        }

        if (baseEndpoint is null)
        {
            return null;
        }

        return protocol == OtlpExportProtocol.Grpc
            ? baseEndpoint
            : new Uri(baseEndpoint.AbsoluteUri.TrimEnd('/') + "/" + path);
    }

    /// <summary>An endpoint URL; the error does not repeat the value, which may carry credentials.</summary>
    private static Uri Endpoint(string variable, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new AdapterConfigurationException($"{variable}: not an absolute http:// or https:// URL");

    private static TimeSpan? Milliseconds(string variable, string? value)
    {
        if (value is null)
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms > 0
            ? TimeSpan.FromMilliseconds(ms)
            : throw Invalid(variable, value, "a whole number of milliseconds above 0");
    }

    private static List<KeyValuePair<string, object>> Attributes(string? value)
    {
        var attributes = new List<KeyValuePair<string, object>>();
        if (value is null)
        {
            return attributes;
        }

        foreach (var pair in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var separator = pair.IndexOf('=', StringComparison.Ordinal);
            if (separator <= 0)
            {
                throw Invalid("OTEL_RESOURCE_ATTRIBUTES", pair, "key=value pairs separated by commas");
            }

            attributes.Add(new(pair[..separator].Trim(), Uri.UnescapeDataString(pair[(separator + 1)..].Trim())));
        }

        return attributes;
    }

    private static AdapterConfigurationException Invalid(string variable, string value, string expected) =>
        new($"{variable}: '{value}' is not valid; expected {expected}");
}
