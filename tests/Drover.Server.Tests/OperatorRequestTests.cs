using System.Net;
using System.Text;
using System.Text.Json;
using Drover.Server.Auth;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;

namespace Drover.Server.Tests;

/// <summary>Drains and deletions are stored requests: they survive a restart, and a drain lasts until it is resumed.</summary>
public sealed class OperatorRequestTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-requests-");

    private string StorePath => _directory.File("state.db");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Drain_SurvivesARestart_UntilResumed()
    {
        await using (var first = await ServerFixture.StartDemoAsync(StorePath))
        {
            using var operatorClient = Client(first, ApiRole.Operator);
            using var drained = await operatorClient.PostAsync("/api/v1/pools/linux/drain", Json("{\"reason\":\"kernel upgrade\"}"));
            Assert.Equal(HttpStatusCode.Accepted, drained.StatusCode);
            await WaitForPool(first, "linux", p => p.GetProperty("drained").GetBoolean() && p.GetProperty("actual").GetInt32() == 0, "drained with no runner");
            await first.StopAsync();
        }

        await using var second = await ServerFixture.StartDemoAsync(StorePath);
        await WaitForPool(second, "linux", p => p.GetProperty("drained").GetBoolean(), "still drained after the restart");
        using var client = Client(second, ApiRole.Operator);

        using var resumed = await client.PostAsync("/api/v1/pools/linux/resume", null);
        Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
        await WaitForPool(second, "linux", p => !p.GetProperty("drained").GetBoolean() && p.GetProperty("actual").GetInt32() > 0, "resumed with runners");
        using var again = await client.PostAsync("/api/v1/pools/linux/resume", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("not drained", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await second.StopAsync();
    }

    [Fact]
    public async Task RunnerDelete_IsCarriedOutByTheLoop_AndLogged()
    {
        await using var app = await ServerFixture.StartDemoAsync(StorePath);
        using var viewer = Client(app, ApiRole.Viewer);
        var id = await Eventually.ValueAsync(
            async () =>
            {
                using var runners = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/runners?state=idle"));
                return runners.RootElement.GetProperty("runners").EnumerateArray().Select(r => r.GetProperty("id").GetString()).FirstOrDefault();
            },
            "an idle runner");

        using var operatorClient = Client(app, ApiRole.Operator);
        using var response = await operatorClient.PostAsync($"/api/v1/runners/{id}/delete", Json("{\"reason\":\"suspect disk\"}"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await Eventually.TrueAsync(
            async () =>
            {
                using var runner = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/runners?state=gone"));
                return runner.RootElement.GetProperty("runners").EnumerateArray().Any(r => r.GetProperty("id").GetString() == id);
            },
            $"runner {id} gone");
        using var events = JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/events?limit=1000"));
        Assert.Contains(events.RootElement.GetProperty("events").EnumerateArray(), e =>
            e.GetProperty("kind").GetString() == "api.runner.delete" && e.GetProperty("subject").GetString() == id && e.GetProperty("actor").GetString() == "api:operator-bot");
        await app.StopAsync();
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static HttpClient Client(WebApplication app, ApiRole role) => ServerFixture.Client(new Uri(app.Urls.First()), role);

    private static async Task WaitForPool(WebApplication app, string pool, Func<JsonElement, bool> condition, string state)
    {
        using var client = Client(app, ApiRole.Viewer);
        await Eventually.ThatAsync(
            async () =>
            {
                using var pools = JsonDocument.Parse(await client.GetStringAsync("/api/v1/pools"));
                return pools.RootElement.GetProperty("pools").EnumerateArray().Where(p => p.GetProperty("name").GetString() == pool).Select(p => p.Clone()).FirstOrDefault();
            },
            p => p.ValueKind == JsonValueKind.Object && condition(p),
            $"pool {pool} {state}",
            p => p.ValueKind == JsonValueKind.Object ? p.GetRawText() : "no such pool");
    }
}
