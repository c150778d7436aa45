using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Server.Auth;
using Drover.Testing;

namespace Drover.Server.Tests;

public sealed class ServerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(25);

    public static TheoryData<string, string, ApiRole?, HttpStatusCode> AuthMatrix => new()
    {
        { "GET", "/api/v1/pools", null, HttpStatusCode.Unauthorized },
        { "GET", "/api/v1/pools", ApiRole.Viewer, HttpStatusCode.OK },
        { "GET", "/api/v1/runners", ApiRole.Operator, HttpStatusCode.OK },
        { "GET", "/api/v1/plan", ApiRole.Admin, HttpStatusCode.OK },
        { "POST", "/api/v1/pools/gpu/drain", null, HttpStatusCode.Unauthorized },
        { "POST", "/api/v1/pools/gpu/drain", ApiRole.Viewer, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/pools/gpu/drain", ApiRole.Operator, HttpStatusCode.Accepted },
        { "POST", "/api/v1/reload", ApiRole.Operator, HttpStatusCode.Forbidden },
        { "POST", "/api/v1/reload", ApiRole.Admin, HttpStatusCode.OK },
        { "GET", "/healthz", null, HttpStatusCode.OK },
        { "GET", "/readyz", null, HttpStatusCode.OK },
    };

    [Theory]
    [MemberData(nameof(AuthMatrix))]
    public async Task Request_ByRole_GetsTheExpectedStatus(string method, string path, ApiRole? role, HttpStatusCode expected)
    {
        using var client = server.Client(role);
        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Request_UnknownToken_IsUnauthorized()
    {
        using var client = server.Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-a-token");
        using var response = await client.GetAsync("/api/v1/pools");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("{not json", "not valid JSON")]
    [InlineData("[1,2]", "expected a JSON object")]
    [InlineData("{\"reason\": 5}", "body.reason: expected a string")]
    public async Task Drain_MalformedBody_Is400WithAMessage(string body, string message)
    {
        using var client = server.Client(ApiRole.Operator);
        using var response = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/pools/gpu/drain")]
    [InlineData("/api/v1/pools/gpu/resume")]
    [InlineData("/api/v1/runners/nope/delete")]
    public async Task AdminBody_InvalidUtf8_Is400SayingWhichByte_AndNothingWritten(string path)
    {
        using var client = server.Client(ApiRole.Operator);
        var before = await LastEventIdAsync();
        byte[] body = [.. "{\"reason\": \"caf"u8, 0xE9, .. "\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");

        using var response = await client.PostAsync(path, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("body: not valid UTF-8 at byte 16 (line 1, column 16)", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await ApiEventsAfterAsync(before));
    }

    [Theory]
    [InlineData("{\"reason\": \"\\ud800\"}", "field 'reason' at line 1, column 12 holds an unpaired surrogate escape")]
    [InlineData("{\"reason\": \"ok\", \"\\udfff\": 1}", "a field name at line 1, column 18 holds an unpaired surrogate escape")]
    [InlineData("[\"\\udbff\\udbff\"]", "a string at line 1, column 2")]
    public async Task Drain_UnpairedSurrogateEscape_Is400SayingWhere_AndNothingWritten(string body, string message)
    {
        using var client = server.Client(ApiRole.Operator);
        var before = await LastEventIdAsync();

        using var response = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(await ApiEventsAfterAsync(before));
    }

    [Theory]
    [InlineData("/api/v1/pools/nope/resume")]
    [InlineData("/api/v1/pools/nope/drain")]
    public async Task PoolRequest_UnknownPool_Is404NamingIt(string path)
    {
        using var client = server.Client(ApiRole.Operator);
        using var response = await client.PostAsync(path, null);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no pool named 'nope'", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drain_OversizedBody_Is413()
    {
        using var client = server.Client(ApiRole.Operator);
        var body = "{\"reason\": \"" + new string('x', 20_000) + "\"}";
        using var response = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Drain_Accepted_IsInTheEventLogUnderTheCallersTokenName()
    {
        using var client = server.Client(ApiRole.Operator);
        using var response = await client.PostAsync("/api/v1/pools/gpu/drain", new StringContent("{\"reason\": \"maintenance\"}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        using var viewer = server.Client(ApiRole.Viewer);
        using var events = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/events?limit=1000"));
        Assert.Contains(events.RootElement.GetProperty("events").EnumerateArray(), e =>
            e.GetProperty("kind").GetString() == "api.pool.drain"
            && e.GetProperty("actor").GetString() == "api:operator-bot"
            && e.GetProperty("message").GetString() == "maintenance");
    }

    [Fact]
    public async Task Runners_UnknownState_Is400NamingTheAllowedValues()
    {
        using var client = server.Client(ApiRole.Viewer);
        using var response = await client.GetAsync("/api/v1/runners?state=sleeping");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("idle", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ExposeTheDocumentedNames()
    {
        using var client = server.Client();
        var names = new[]
        {
            "drover_desired_runners{pool=\"linux\"}", "drover_runners{pool=\"linux\",state=\"idle\"}", "drover_queued_jobs{pool=\"docker\"}",
            "drover_circuit_breaker_state{provider=\"sim\"}", "drover_build_info{version=", "drover_provider_calls_total{outcome=\"success\",provider=\"sim\"}",
            "# TYPE drover_provisioning_duration_seconds histogram", "drover_plan_cycle_duration_seconds_bucket{le=", "drover_plan_cycle_step_seconds_bucket{step=\"plan\",le=",
            "drover_pool_min_runners{pool=\"linux\"}", "drover_pool_max_runners{pool=\"linux\"}",
            "drover_jobs_queued_total{pool=\"", "drover_jobs_started_total{pool=\"", "drover_job_queue_wait_seconds_bucket{pool=\"linux\",le=\"+Inf\"}",
            "# TYPE process_cpu_seconds_total counter", "process_resident_memory_bytes ", "process_start_time_seconds ",
            "dotnet_gc_collections_total{generation=\"0\"}", "dotnet_gc_heap_bytes ", "dotnet_threadpool_threads ",
        };
        var text = await Eventually.ThatAsync(
            () => client.GetStringAsync("/metrics"),
            metrics => names.All(n => metrics.Contains(n, StringComparison.Ordinal)),
            "every documented metric in /metrics",
            metrics => "missing " + string.Join(", ", names.Where(n => !metrics.Contains(n, StringComparison.Ordinal))),
            _wait);
        foreach (var name in names)
        {
            Assert.Contains(name, text, StringComparison.Ordinal);
        }
    }

    [PromtoolFact]
    public async Task Metrics_PassPromtoolCheck()
    {
        using var client = server.Client();
        var text = await Eventually.ThatAsync(
            () => client.GetStringAsync("/metrics"),
            metrics => metrics.Contains("drover_provider_calls_total{", StringComparison.Ordinal),
            "a provider call counted in /metrics",
            _ => "no drover_provider_calls_total series",
            _wait);

        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.True(exitCode == 0, $"promtool check metrics exited {exitCode}: {output}");
    }

    [PromtoolFact]
    public async Task Promtool_BrokenExposition_IsRefused()
    {
        var (exitCode, _) = await Promtool.CheckMetricsAsync("# TYPE drover_x counter\ndrover_x{a=\"b\" 1\n");

        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Demo_RunnersScaleWithinSeconds()
    {
        using var client = server.Client(ApiRole.Viewer);
        var seen = new HashSet<int>();
        await Eventually.ThatAsync(
            async () =>
            {
                using var pools = JsonDocument.Parse(await client.GetStringAsync("/api/v1/pools"));
                seen.Add(pools.RootElement.GetProperty("pools").EnumerateArray().Sum(p => p.GetProperty("actual").GetInt32()));
                return seen.Count;
            },
            counts => counts >= 2,
            "the number of runners changes",
            _ => $"runner totals seen: {string.Join(", ", seen)}",
            _wait);
        Assert.True(seen.Count >= 2);
        using var dashboard = await client.GetAsync("/");
        Assert.Contains("data-demo=\"true\"", await dashboard.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<long> LastEventIdAsync() =>
        (await server.Store.ListEventsAsync(new Core.Ports.EventQuery { Limit = 100_000 }, CancellationToken.None)).LastOrDefault()?.Id ?? 0;

    /// <summary>Events written through the API after <paramref name="afterId"/> (the demo's world writes its own meanwhile).</summary>
    private async Task<List<string>> ApiEventsAfterAsync(long afterId) =>
        [.. (await server.Store.ListEventsAsync(new Core.Ports.EventQuery { AfterId = afterId, Limit = 100_000 }, CancellationToken.None))
            .Where(e => e.Actor.StartsWith("api:", StringComparison.Ordinal)).Select(e => $"{e.Kind} {e.Subject}")];
}
