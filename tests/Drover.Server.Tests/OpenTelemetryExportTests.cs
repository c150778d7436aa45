using System.Security.Cryptography;
using System.Text;
using Drover.Core.Adapters;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.Otlp;
using OpenTelemetry.Exporter;

namespace Drover.Server.Tests;

/// <summary>
/// OTLP export configured by the <c>OTEL_*</c> variables: the demo server's job traces, plan-cycle spans and metrics
/// arrive at an in-process OTLP/HTTP receiver, decoded from protobuf; and how the variables are read.
/// </summary>
[Collection(Name)]
public sealed class OpenTelemetryExportTests
{
    /// <summary>
    /// The engine's ActivitySource is process-wide, so an exporter sees the spans of every server in the test process:
    /// another demo server running beside this test (the demo's job keys are the same in each) would put a second wait
    /// span into a job's trace. This collection runs alone.
    /// </summary>
    public const string Name = "OTLP export, alone in the process";

    [Fact]
    public async Task Serve_WithAnOtlpEndpoint_JobTracesPlanCyclesAndMetricsArrive()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        using var directory = new TempDirectory("drover-otlp-");
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Url.ToString(),
            ["OTEL_SERVICE_NAME"] = "drover-otlp-test",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=test",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "300",
        };
        var app = await ServerFixture.StartDemoAsync(directory.File("state.db"), o => o with { Environment = n => environment.GetValueOrDefault(n) ?? Environment.GetEnvironmentVariable(n) });
        try
        {
            // A job of the demo world whose wait and run spans both arrived.
            var trace = await Eventually.ThatAsync(
                () => receiver.Spans.Where(s => s.Name.StartsWith("drover.job.", StringComparison.Ordinal)).GroupBy(s => s.TraceId).FirstOrDefault(g => g.Any(s => s.Name == "drover.job.wait") && g.Any(s => s.Name == "drover.job.run"))?.ToList(),
                spans => spans is not null,
                "a job's wait and run spans",
                _ => $"{receiver.Spans.Count} spans: {string.Join(", ", receiver.Spans.Select(s => s.Name).Distinct())}; errors: {string.Join("; ", receiver.Errors)}",
                TimeSpan.FromSeconds(90));

            var wait = trace!.Single(s => s.Name == "drover.job.wait");
            var run = trace!.Single(s => s.Name == "drover.job.run");
            var (traceId, rootId) = Derived(wait.Attributes["drover.job.forge"], wait.Attributes["drover.job.id"]);
            Assert.Equal(traceId, wait.TraceId);
            Assert.Equal(rootId, wait.ParentSpanId);
            Assert.Equal(rootId, run.ParentSpanId);
            Assert.Equal(wait.Attributes["drover.job.id"], run.Attributes["drover.job.id"]);
            Assert.Equal("queued", wait.Events[0]);
            Assert.Equal("started", wait.Events[^1]);
            Assert.Contains(run.Events, e => e is "completed" or "cancelled");
            // The run starts where the wait ends (a wait of no time still lasts a tick: 100 ns).
            Assert.InRange(run.StartUnixNano - wait.EndUnixNano + 100, 0UL, 100UL);
            Assert.Equal("drover-otlp-test", wait.Resource["service.name"]);
            Assert.Equal("test", wait.Resource["deployment.environment"]);
            Assert.Contains(receiver.Spans, s => s.Name == "drover.plan_cycle" && s.ParentSpanId.Length == 0);

            await Eventually.TrueAsync(
                () => new[] { "drover_jobs_started_total", "drover_job_queue_wait_seconds", "drover_runners", "drover_plan_cycle_duration_seconds", "drover_leader" }.All(n => receiver.Metrics.Any(m => m.Name == n)),
                "the engine's metrics exported",
                TimeSpan.FromSeconds(30),
                seen: () => string.Join(", ", receiver.Metrics.Select(m => m.Name).Distinct().Order(StringComparer.Ordinal)));
            Assert.All(receiver.Metrics, m => Assert.Equal("drover-otlp-test", m.Resource["service.name"]));
            Assert.Empty(receiver.Errors);

            // Every job's wait and run are measured once, whatever later events bring (none of the received traces has
            // a second wait or run span).
            var twice = receiver.Spans.Where(s => s.Name is "drover.job.wait" or "drover.job.run").GroupBy(s => (s.TraceId, s.Name)).Where(g => g.Count() > 1).Select(g => $"{g.Key.Name} x{g.Count()} for {g.First().Attributes["drover.job.forge"]}/{g.First().Attributes["drover.job.id"]}").ToList();
            Assert.True(twice.Count == 0, string.Join("; ", twice));
        }
        finally
        {
            await ServerFixture.StopAsync(app, directory.Path);
        }
    }

    [Fact]
    public void FromEnvironment_NoEndpoint_ExportsNothing()
    {
        Assert.Null(OpenTelemetryOptions.FromEnvironment(Env()));
        Assert.Null(OpenTelemetryOptions.FromEnvironment(Env(("OTEL_SERVICE_NAME", "drover"), ("OTEL_TRACES_EXPORTER", "otlp"))));
        Assert.Null(OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_SDK_DISABLED", "true"))));
        Assert.Null(OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_TRACES_EXPORTER", "none"), ("OTEL_METRICS_EXPORTER", "none"))));
    }

    [Fact]
    public void FromEnvironment_BaseEndpoint_HttpGetsTheSignalPathsGrpcUsesItAsItIs()
    {
        var http = OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/")));
        var grpc = OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")));

        Assert.Equal((new Uri("http://collector:4318/v1/traces"), new Uri("http://collector:4318/v1/metrics"), OtlpExportProtocol.HttpProtobuf, "drover"), (http!.TracesEndpoint, http.MetricsEndpoint, http.Protocol, http.ServiceName));
        Assert.Equal((new Uri("http://collector:4317"), new Uri("http://collector:4317"), OtlpExportProtocol.Grpc), (grpc!.TracesEndpoint, grpc.MetricsEndpoint, grpc.Protocol));
    }

    [Fact]
    public void FromEnvironment_OneSignalOff_OrWithItsOwnEndpoint_TheOtherKeepsTheBase()
    {
        var tracesOnly = OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_METRICS_EXPORTER", "none")));
        var own = OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "https://metrics.example/otlp"), ("OTEL_METRIC_EXPORT_INTERVAL", "15000")));

        Assert.Equal((new Uri("http://collector:4318/v1/traces"), (Uri?)null), (tracesOnly!.TracesEndpoint, tracesOnly.MetricsEndpoint));
        Assert.Equal(((Uri?)null, new Uri("https://metrics.example/otlp"), TimeSpan.FromSeconds(15)), (own!.TracesEndpoint, own.MetricsEndpoint, own.MetricExportInterval));
    }

    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json", "OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' is not valid; expected grpc or http/protobuf")]
    [InlineData("OTEL_TRACES_EXPORTER", "zipkin", "OTEL_TRACES_EXPORTER: 'zipkin' is not valid; expected otlp or none")]
    [InlineData("OTEL_METRICS_EXPORTER", "prometheus", "OTEL_METRICS_EXPORTER: 'prometheus' is not valid; expected otlp or none (Prometheus metrics are always served at /metrics)")]
    [InlineData("OTEL_METRIC_EXPORT_INTERVAL", "5s", "OTEL_METRIC_EXPORT_INTERVAL: '5s' is not valid; expected a whole number of milliseconds above 0")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318", "OTEL_EXPORTER_OTLP_ENDPOINT: not an absolute http:// or https:// URL")]
    [InlineData("OTEL_SDK_DISABLED", "yes", "OTEL_SDK_DISABLED: 'yes' is not valid; expected true or false")]
    public void FromEnvironment_ValueDroverCannotHonour_IsAConfigurationErrorNamingTheVariable(string variable, string value, string message)
    {
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318", [variable] = value };

        var error = Assert.Throws<AdapterConfigurationException>(() => OpenTelemetryOptions.FromEnvironment(environment.GetValueOrDefault));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromEnvironment_Headers_AreKeptButNeverInAnError()
    {
        var options = OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"), ("OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer s3cr3t-otlp")));
        var error = Assert.Throws<AdapterConfigurationException>(() => OpenTelemetryOptions.FromEnvironment(Env(("OTEL_EXPORTER_OTLP_ENDPOINT", "http://user:s3cr3t@collector"), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"), ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://user:s3cr3t@x"))));

        Assert.Equal("authorization=Bearer s3cr3t-otlp", options!.Headers);
        Assert.DoesNotContain("s3cr3t", error.Message, StringComparison.Ordinal);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);
        return map.GetValueOrDefault;
    }

    /// <summary>The trace id and root span id of a job, in hex, computed here independently of the engine.</summary>
    private static (string, string) Derived(string forge, string id)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"drover-job\n{forge}\n{id}"));
        return (Convert.ToHexStringLower(hash.AsSpan(0, 16)), Convert.ToHexStringLower(hash.AsSpan(16, 8)));
    }
}

/// <summary>Runs <see cref="OpenTelemetryExportTests"/> with no other test beside it.</summary>
[CollectionDefinition(OpenTelemetryExportTests.Name, DisableParallelization = true)]
public sealed class OpenTelemetryExportCollection;
