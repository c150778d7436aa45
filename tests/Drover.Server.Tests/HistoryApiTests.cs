using System.Net;
using System.Text.Json;
using Drover.Server.Auth;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;

namespace Drover.Server.Tests;

/// <summary>
/// What the dashboard reads besides the pools: <c>GET /api/v1/history</c>, <c>/api/v1/jobs</c> with its pool, wait,
/// limit and filter, and <c>/api/v1/whoami</c>, on the running fast demo sampled every 200 ms.
/// </summary>
public sealed class HistoryApiTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("drover-history-api-");
    private WebApplication? _app;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        _app = await ServerFixture.StartDemoAsync(_directory.File("state.db"), o => o with { HistoryInterval = TimeSpan.FromMilliseconds(200), HistoryRetention = TimeSpan.FromMinutes(10) });
        _base = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _directory.Dispose();
    }

    [Fact]
    public async Task History_ServesSamplesOfEveryPool_OnePerStep_FromTheGivenInstant()
    {
        using var viewer = ServerFixture.Client(_base, ApiRole.Viewer);
        var started = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        using var all = await Eventually.ThatAsync(
            async () => JsonDocument.Parse(await viewer.GetStringAsync($"/api/v1/history?from={Uri.EscapeDataString(started)}")),
            d => d.RootElement.GetProperty("samples").GetArrayLength() >= 8,
            "eight samples in the history",
            d => d.RootElement.GetRawText(),
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(200));
        var root = all.RootElement;
        Assert.Equal(0.2, root.GetProperty("interval").GetDouble());
        Assert.Equal(600, root.GetProperty("retention").GetDouble());
        var samples = root.GetProperty("samples").EnumerateArray().ToList();
        var times = samples.Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.Equal(times.Order().ToList(), times);
        Assert.All(samples, s => Assert.Equal(["linux", "gpu", "docker"], s.GetProperty("pools").EnumerateArray().Select(p => p.GetProperty("pool").GetString()!).ToArray()));
        var pool = samples[^1].GetProperty("pools")[0];
        foreach (var field in new[] { "queued", "running", "active", "costPerHour" })
        {
            Assert.True(pool.GetProperty(field).GetDouble() >= 0, field);
        }

        Assert.Equal(["requested", "provisioning", "registering", "idle", "busy", "draining", "failed"], pool.GetProperty("runners").EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("USD", pool.GetProperty("currency").GetString());

        // One per second: fewer samples, each at least a second after the one before it.
        using var coarse = JsonDocument.Parse(await viewer.GetStringAsync($"/api/v1/history?from={Uri.EscapeDataString(started)}&step=1"));
        Assert.Equal(1, coarse.RootElement.GetProperty("step").GetDouble());
        var coarseTimes = coarse.RootElement.GetProperty("samples").EnumerateArray().Select(s => s.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.InRange(coarseTimes.Count, 1, samples.Count - 1);
        Assert.All(coarseTimes.Zip(coarseTimes.Skip(1)), p => Assert.True(p.Second - p.First > TimeSpan.FromMilliseconds(200), $"{p.First:O} then {p.Second:O}"));
    }

    [Theory]
    [InlineData("/api/v1/history?step=0", "step: '0' is not a whole number of seconds between 1 and 86400")]
    [InlineData("/api/v1/history?step=1.5", "step: '1.5' is not a whole number of seconds between 1 and 86400")]
    [InlineData("/api/v1/history?from=yesterday", "from: 'yesterday' is not an instant; write e.g. 2026-12-01T08:00:00Z")]
    [InlineData("/api/v1/jobs?limit=0", "limit: must be between 1 and 1000, not 0")]
    [InlineData("/api/v1/jobs?pool=windows", "pool: no pool named 'windows'; one of: linux, gpu, docker")]
    public async Task BadQuery_Is400_SayingWhichParameterAndWhy(string path, string error)
    {
        using var viewer = ServerFixture.Client(_base, ApiRole.Viewer);
        using var response = await viewer.GetAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(error, body.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task History_WithoutAToken_Is401()
    {
        using var anonymous = ServerFixture.Client(_base);
        using var response = await anonymous.GetAsync("/api/v1/history");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Jobs_CarryTheirPoolAndWait_NewestFinishedFirst_LimitedAndFilteredByPool()
    {
        using var viewer = ServerFixture.Client(_base, ApiRole.Viewer);
        using var completed = await Eventually.ThatAsync(
            async () => JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/jobs?state=completed")),
            d => d.RootElement.GetProperty("jobs").GetArrayLength() >= 4,
            "four completed jobs",
            d => d.RootElement.GetRawText(),
            TimeSpan.FromSeconds(30),
            TimeSpan.FromMilliseconds(250));
        var jobs = completed.RootElement.GetProperty("jobs").EnumerateArray().ToList();
        Assert.All(jobs, j =>
        {
            Assert.Equal("completed", j.GetProperty("state").GetString());
            Assert.Contains(j.GetProperty("pool").GetString(), new[] { "linux", "gpu", "docker" });
            if (j.GetProperty("startedAt").ValueKind == JsonValueKind.Null || j.GetProperty("queuedAt").ValueKind == JsonValueKind.Null)
            {
                Assert.Equal(JsonValueKind.Null, j.GetProperty("waitSeconds").ValueKind);
            }
            else
            {
                var wait = (j.GetProperty("startedAt").GetDateTimeOffset() - j.GetProperty("queuedAt").GetDateTimeOffset()).TotalSeconds;
                Assert.Equal(Math.Round(wait, 1), j.GetProperty("waitSeconds").GetDouble(), 1);
            }

            Assert.True(j.GetProperty("key").TryGetProperty("forge", out _));
        });
        var finished = jobs.Select(j => j.GetProperty("finishedAt").GetDateTimeOffset()).ToList();
        Assert.Equal(finished.OrderDescending().ToList(), finished);

        using var two = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/jobs?state=completed&limit=2"));
        Assert.Equal(2, two.RootElement.GetProperty("jobs").GetArrayLength());

        var pool = jobs[0].GetProperty("pool").GetString()!;
        using var onePool = JsonDocument.Parse(await viewer.GetStringAsync($"/api/v1/jobs?state=completed&pool={pool}"));
        Assert.NotEmpty(onePool.RootElement.GetProperty("jobs").EnumerateArray());
        Assert.All(onePool.RootElement.GetProperty("jobs").EnumerateArray(), j => Assert.Equal(pool, j.GetProperty("pool").GetString()));
    }

    [Theory]
    [InlineData(ApiRole.Viewer, "viewer-bot", "viewer")]
    [InlineData(ApiRole.Operator, "operator-bot", "operator")]
    public async Task WhoAmI_NamesTheTokenAndItsRole_NeverItsValue(ApiRole role, string name, string roleName)
    {
        using var client = ServerFixture.Client(_base, role);
        var text = await client.GetStringAsync("/api/v1/whoami");
        using var body = JsonDocument.Parse(text);
        Assert.Equal(name, body.RootElement.GetProperty("name").GetString());
        Assert.Equal(roleName, body.RootElement.GetProperty("role").GetString());
        Assert.DoesNotContain(ServerFixture.Tokens[role], text, StringComparison.Ordinal);
    }
}
