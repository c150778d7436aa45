using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Cost;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace Drover.Server.Tests;

/// <summary>
/// Cost on the running demo server (<c>GET /api/v1/cost</c>, <c>/metrics</c>) and budget notifications posted to a
/// receiver on loopback.
/// </summary>
public sealed class CostApiTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-cost-api-").FullName;
    private WebApplication? _app;
    private Uri _base = null!;

    public async Task InitializeAsync()
    {
        _app = await ServerFixture.StartDemoAsync(Path.Combine(_directory, "state.db"), o => o with { CostInterval = TimeSpan.FromSeconds(1) });
        _base = new Uri(_app.Urls.First());
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing.
        }
    }

    [Fact]
    public async Task Cost_DemoRunning_ShowsNonZeroCostPerPoolAndTeamInTheApiAndMetrics()
    {
        using var client = ServerFixture.Client(_base, ApiRole.Viewer);
        JsonElement pools = default, teams = default;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            pools = JsonDocument.Parse(await client.GetStringAsync("/api/v1/cost?by=pool")).RootElement;
            teams = JsonDocument.Parse(await client.GetStringAsync("/api/v1/cost?by=team")).RootElement;
            if (teams.GetProperty("rows").EnumerateArray().Count(r => r.GetProperty("amount").GetDecimal() > 0) == 2)
            {
                break;
            }

            await Task.Delay(500);
        }

        Assert.Contains(pools.GetProperty("rows").EnumerateArray(), r => r.GetProperty("amount").GetDecimal() > 0 && r.GetProperty("currency").GetString() == "USD");
        Assert.Equal(["ml", "platform"], teams.GetProperty("rows").EnumerateArray().Where(r => r.GetProperty("amount").GetDecimal() > 0).Select(r => r.GetProperty("key").GetString()).Order());
        Assert.Contains(pools.GetProperty("budgets").EnumerateArray(), b => b.GetProperty("name").GetString() == "team/platform" && b.GetProperty("action").GetString() == "stop-warm");
        var metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("drover_cost_total{kind=\"booting\",pool=\"gpu\",team=\"ml\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("drover_budget_used_ratio{budget=\"team/platform\"}", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/v1/cost?by=repo", "by: unknown value 'repo'")]
    [InlineData("/api/v1/cost?from=yesterday", "from: 'yesterday' is not a date")]
    [InlineData("/api/v1/cost?from=2026-12-02&to=2026-12-01", "must be before to")]
    public async Task Cost_BadQuery_Is400SayingWhat(string path, string message)
    {
        using var client = ServerFixture.Client(_base, ApiRole.Viewer);

        var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cost_WithoutToken_Is401()
    {
        using var client = ServerFixture.Client(_base);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/cost")).StatusCode);
    }

    [Fact]
    public async Task Notifier_ReceiverFailsOnce_PostsTheSlackBodyAgainUntilAccepted()
    {
        var received = new ConcurrentQueue<string>();
        var attempts = 0;
        var (receiver, url) = await LoopbackApp.StartAsync(app => app.MapPost("/hook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            if (Interlocked.Increment(ref attempts) == 1)
            {
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            }

            received.Enqueue(body);
            return Results.Ok();
        }));
        await using var _ = receiver;
        var secrets = new SecretResolver(name => name == "HOOK" ? new Uri(url, "/hook").ToString() : null);
        using var notifier = new BudgetWebhookNotifier(new HttpClient(), secrets, TimeProvider.System, NullLogger.Instance, retryDelay: TimeSpan.FromMilliseconds(50));
        await notifier.StartAsync(CancellationToken.None);
        var budget = new BudgetConfig { Limit = 10m, Period = BudgetPeriod.Day };
        var status = new BudgetStatus("team/web", budget, new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero), 8.5m);

        notifier.Enqueue(new BudgetNotify { Url = new SecretRef(SecretSource.Env, "HOOK"), Format = NotifyFormat.Slack }, new BudgetAlert(status, 0.8m, status.PeriodStart.AddHours(12)));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (received.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await notifier.StopAsync(CancellationToken.None);
        var body = JsonDocument.Parse(Assert.Single(received)).RootElement;
        Assert.Equal(2, attempts);
        var text = body.GetProperty("text").GetString()!;
        Assert.Contains("team/web at 85%", text, StringComparison.Ordinal);
        Assert.Contains("spent by 2026-12-07 14:07Z", text, StringComparison.Ordinal);
    }
}
