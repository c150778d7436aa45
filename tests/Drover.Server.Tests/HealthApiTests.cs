using System.Net;
using System.Text.Json;
using Drover.Server.Auth;
using Drover.Server.Tests.Support;
using Drover.Testing;

namespace Drover.Server.Tests;

/// <summary>
/// <c>GET /api/v1/health</c>, <c>drover_component_up</c> and <c>/readyz</c> during the outage a user reported: the
/// Kubernetes API refuses connections, the GitHub App's key is refused, the GitLab host does not resolve.
/// </summary>
public sealed class HealthApiTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-health-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Health_UnreachableForgesAndProvider_AreDown_WithTheirErrors_ReadyzStays200()
    {
        await using var app = await UnreachableFleet.StartAsync(_directory.Path);
        using var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer);

        var report = await WaitForAsync(viewer, r => Status(r, "provider", "k8s") == "down" && Status(r, "forge", "gitlab") == "down" && Status(r, "forge", "github") == "down");

        var github = Component(report, "forge", "github");
        Assert.Contains("401 Unauthorized", github.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("configuration or credential", github.GetProperty("details").GetProperty("reason").GetString(), StringComparison.Ordinal);
        var gitlab = Component(report, "forge", "gitlab");
        Assert.Contains("Name or service not known (gitlab.acme.internal:443)", gitlab.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, gitlab.GetProperty("lastSuccess").ValueKind);
        Assert.Equal("0", gitlab.GetProperty("details").GetProperty("webhookDeliveriesLast5m").GetString());
        var k8s = Component(report, "provider", "k8s");
        Assert.Contains("Connection refused (kubernetes.default.svc:443)", k8s.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Equal("closed", k8s.GetProperty("details").GetProperty("breaker").GetString());
        Assert.NotEqual(JsonValueKind.Null, k8s.GetProperty("lastErrorAt").ValueKind);
        Assert.Equal("ok", Status(report, "provider", "local"));
        Assert.Equal("ok", Status(report, "store", "sqlite"));
        Assert.Equal("ok", Status(report, "leadership", Component(report, "leadership", null).GetProperty("name").GetString()!));
        Assert.Equal("down", report.GetProperty("status").GetString());

        var metrics = await viewer.GetStringAsync("/metrics");
        Assert.Contains("drover_component_up{kind=\"provider\",name=\"k8s\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"github\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"gitlab\"} 0", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"provider\",name=\"local\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"store\",name=\"sqlite\"} 1", metrics, StringComparison.Ordinal);

        // Ready means "takes webhooks and API calls": a forge or provider outage does not make the replica unready.
        using var ready = await viewer.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Pools_HalfOpenBreaker_IsSpelledHalfOpen_AndTheProviderIsDegraded()
    {
        await using var app = await UnreachableFleet.StartAsync(_directory.Path, halfOpenBreaker: "local");
        using var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer);

        var report = await WaitForAsync(viewer, r => Component(r, "provider", "local").GetProperty("details").TryGetProperty("calls", out _)
            && Component(r, "provider", "local").GetProperty("details").GetProperty("breaker").GetString() != "closed");
        using var pools = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/pools"));

        var breaker = pools.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("provider").GetString() == "local");
        Assert.Equal("half-open", breaker.GetProperty("status").GetString());
        var local = Component(report, "provider", "local");
        Assert.Equal("degraded", local.GetProperty("status").GetString());
        Assert.Equal("half-open", local.GetProperty("details").GetProperty("breaker").GetString());
        Assert.StartsWith("circuit breaker half-open", local.GetProperty("details").GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_WithoutToken_Is401()
    {
        await using var app = await UnreachableFleet.StartAsync(_directory.Path);
        using var anonymous = ServerFixture.Client(new Uri(app.Urls.First()));

        using var response = await anonymous.GetAsync("/api/v1/health");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [PromtoolFact]
    public async Task Metrics_WithComponentsDown_PassPromtoolCheck()
    {
        await using var app = await UnreachableFleet.StartAsync(_directory.Path);
        using var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer);
        await WaitForAsync(viewer, r => Status(r, "forge", "github") == "down");

        var text = await viewer.GetStringAsync("/metrics");
        var (exitCode, output) = await Promtool.CheckMetricsAsync(text);

        Assert.Contains("# TYPE drover_component_up gauge", text, StringComparison.Ordinal);
        Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}): {output}");
    }

    internal static async Task<JsonElement> WaitForAsync(HttpClient viewer, Func<JsonElement, bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var report = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/health")).RootElement;
            if (condition(report))
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s; last report: {report}");
            await Task.Delay(200);
        }
    }

    internal static string? Status(JsonElement report, string kind, string name) =>
        report.GetProperty("components").EnumerateArray()
            .Where(c => c.GetProperty("kind").GetString() == kind && c.GetProperty("name").GetString() == name)
            .Select(c => c.GetProperty("status").GetString())
            .FirstOrDefault();

    internal static JsonElement Component(JsonElement report, string kind, string? name) =>
        report.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == kind && (name is null || c.GetProperty("name").GetString() == name));
}
