using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary>The demo run twice on the same store, as a user restarting <c>drover serve</c> would.</summary>
public sealed partial class DemoRestartTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-demo-restart-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_DemoRestartedOnItsStore_NoFailedRunnerNoOpenBreaker()
    {
        var store = "sqlite:" + _directory.File("demo.db");
        await using (var first = await StartDemoAsync(store))
        {
            await Eventually.TrueAsync(
                async () => (await RunnersAsync(first.Client, "idle")).Count + (await RunnersAsync(first.Client, "busy")).Count > 0,
                "a runner of the first run registers", TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(500));
            Assert.Equal(0, await first.Serve.StopAsync());
        }

        await using var second = await StartDemoAsync(store);
        // The bar users set: over the first minute of the second start, no runner fails and no breaker opens.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var created = false;
        while (DateTime.UtcNow < deadline)
        {
            Assert.Empty(await RunnersAsync(second.Client, "failed"));
            Assert.DoesNotContain("\"status\":\"open\"", await second.Client.GetStringAsync("/api/v1/pools"), StringComparison.Ordinal);
            created |= (await RunnersAsync(second.Client, null)).Count > 0;
            await Task.Delay(500);
        }

        Assert.True(created, "the restarted demo creates runners of its own");
        Assert.Contains("starting clean", second.Serve.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Serve_DemoOnAStoreItDidNotCreate_Exits2AndLeavesItAlone()
    {
        var path = _directory.File("mine.db");
        File.WriteAllText(path, "not a demo store");
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "sqlite:" + path, "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains(path, error, StringComparison.Ordinal);
        Assert.Contains("not a demo store", error, StringComparison.Ordinal);
        Assert.Equal("not a demo store", File.ReadAllText(path));
    }

    [Fact]
    public void Serve_DemoOnPostgres_Exits2()
    {
        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--store", "postgres:Host=127.0.0.1;Port=1", "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains("the demo runs on a SQLite file of its own", error, StringComparison.Ordinal);
    }

    private static async Task<Demo> StartDemoAsync(string store)
    {
        var serve = CliRunner.Start(ServeCommand.Create(), "serve", "--store", store, "--urls", "http://127.0.0.1:0", "--backup-every", "0");
        await serve.WaitForOutputAsync("open ");
        var client = new HttpClient { BaseAddress = new Uri(DashboardLine().Match(serve.Output).Groups["url"].Value), Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerLine().Match(serve.Output).Groups["token"].Value);
        return new Demo(serve, client);
    }

    private static async Task<List<JsonElement>> RunnersAsync(HttpClient client, string? state)
    {
        using var document = JsonDocument.Parse(await client.GetStringAsync(state is null ? "/api/v1/runners" : $"/api/v1/runners?state={state}"));
        return [.. document.RootElement.GetProperty("runners").EnumerateArray().Select(r => r.Clone())];
    }

    [GeneratedRegex(@"dashboard: (?<url>http://127\.0\.0\.1:\d+)/")]
    private static partial Regex DashboardLine();

    [GeneratedRegex(@"viewer: (?<token>\S+)")]
    private static partial Regex ViewerLine();

    private sealed record Demo(RunningCommand Serve, HttpClient Client) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await Serve.DisposeAsync();
        }
    }
}
