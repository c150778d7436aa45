using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Drover.Server.Hosting;

/// <summary>
/// Adds the OpenTelemetry SDK to the host for what <see cref="OpenTelemetryOptions"/> asks: the engine's spans
/// (<see cref="ControlLoop.ActivitySourceName"/>) and the <see cref="EngineMetrics.MeterName"/> meter, the same
/// instruments <c>/metrics</c> renders, exported over OTLP. The Prometheus endpoint is served either way.
/// </summary>
internal static class OpenTelemetryExport
{
    /// <summary>Registers the tracer and meter providers the host starts and, on shutdown, flushes.</summary>
    public static void Add(IServiceCollection services, OpenTelemetryOptions options, string replicaId)
    {
        ArgumentNullException.ThrowIfNull(options);
        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource
            .Clear()
            .AddService(options.ServiceName, serviceVersion: EngineMetrics.Version, autoGenerateServiceInstanceId: false, serviceInstanceId: replicaId)
            .AddAttributes(options.ResourceAttributes));
        if (options.TracesEndpoint is { } traces)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ControlLoop.ActivitySourceName)
                .AddOtlpExporter(otlp => Configure(otlp, traces, options)));
        }

        if (options.MetricsEndpoint is { } metrics)
        {
            telemetry.WithMetrics(meters => meters
                .AddMeter(EngineMetrics.MeterName)
                .AddOtlpExporter((otlp, reader) =>
                {
                    Configure(otlp, metrics, options);
                    reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = (int)options.MetricExportInterval.TotalMilliseconds;
                }));
        }
    }

    /// <summary>An endpoint as the logs may show it: scheme, host, port and path, never user info or query.</summary>
    public static string Describe(Uri? endpoint) =>
        endpoint is null ? "off" : endpoint.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);

    private static void Configure(OtlpExporterOptions otlp, Uri endpoint, OpenTelemetryOptions options)
    {
        // Set in code, the endpoint is used as it is: the signal's path is already on it for OTLP/HTTP.
        otlp.Endpoint = endpoint;
        otlp.Protocol = options.Protocol;
        otlp.TimeoutMilliseconds = (int)options.ExportTimeout.TotalMilliseconds;
        if (options.Headers is { } headers)
        {
            otlp.Headers = headers;
        }
    }
}
