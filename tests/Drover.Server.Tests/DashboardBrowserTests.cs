using Drover.Core.Ports;
using Drover.Server.Auth;
using Drover.Server.Tests.Support;
using Drover.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Drover.Server.Tests;

/// <summary>The dashboard in a real headless Chromium against the running demo; leaves a screenshot in artifacts/screenshots.</summary>
public sealed class DashboardBrowserTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-dashboard-");

    public void Dispose() => _directory.Dispose();

    [ChromiumFact]
    public async Task Dashboard_ShowsTheDemoPools_ANumberChangesAsTheDemoRuns_AndCostPerPoolAndTeamWithinAMinute()
    {
        var started = DateTime.UtcNow;
        await using var app = await ServerFixture.StartDemoAsync(_directory.File("state.db"));
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync($"{app.Urls.First()}/#token={ServerFixture.Tokens[ApiRole.Viewer]}");

        await page.WaitForSelectorAsync("#pools tr", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var pools = await page.Locator("#pools tr td:first-child").AllInnerTextsAsync();
        Assert.Equal(["linux", "gpu", "docker"], pools.Select(p => p.Replace(" (drained)", string.Empty, StringComparison.Ordinal)).ToArray());
        Assert.True(await page.Locator("#demo").IsVisibleAsync(), "the DEMO banner is shown");
        Assert.Equal("leader", await page.Locator("#role").InnerTextAsync());

        // The runner counts and the runners table change as the simulated load arrives and runners boot.
        var first = await Numbers(page);
        var now = await Eventually.ThatAsync(() => Numbers(page), numbers => numbers != first, "a number on the dashboard changes", numbers => $"still {numbers}", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

        await page.WaitForSelectorAsync("#runners tr", new PageWaitForSelectorOptions { Timeout = 30_000 });

        // Cost within a minute of the start: a non-zero month's cost for a pool and for both of the demo's teams.
        await page.WaitForFunctionAsync(
            """
            () => {
              const rows = id => [...document.querySelectorAll(id + ' tr')].filter(r => r.cells.length === 4).map(r => [...r.cells].map(c => c.innerText));
              const nonZero = t => /[1-9]/.test(t.split(' ')[0]);
              const teams = rows('#costTeams');
              return rows('#costPools').some(r => nonZero(r[2])) && ['ml', 'platform'].every(k => teams.some(r => r[0] === k && nonZero(r[2])));
            }
            """,
            null,
            new PageWaitForFunctionOptions { Timeout = (float)Math.Max(1_000, (started.AddSeconds(60) - DateTime.UtcNow).TotalMilliseconds) });

        var screenshot = Path.Combine(Testing.SharedData.RepositoryRoot ?? throw new InvalidOperationException("Drover.sln not found above the test directory"), "artifacts", "screenshots", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot holds a rendered page");
        Assert.NotEqual(first, now);
    }

    [ChromiumFact]
    public async Task Dashboard_Header_ListsEveryDownOrDegradedComponentWithItsError_AndColoursAHalfOpenBreaker()
    {
        await using var app = await UnreachableFleet.StartAsync(_directory.Path, halfOpenBreaker: "local");
        using (var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer))
        {
            await HealthApiTests.WaitForAsync(viewer, r => HealthApiTests.Status(r, "provider", "k8s") == "down" && HealthApiTests.Status(r, "forge", "gitlab") == "down");
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 560 } });
        await page.GotoAsync($"{app.Urls.First()}/#token={ServerFixture.Tokens[ApiRole.Viewer]}");
        await page.WaitForSelectorAsync("#components .component.down", new PageWaitForSelectorOptions { Timeout = 30_000 });
        await page.WaitForFunctionAsync("document.querySelectorAll('#components .component.down').length >= 3", null, new PageWaitForFunctionOptions { Timeout = 30_000 });

        var down = await page.Locator("#components .component.down").AllInnerTextsAsync();
        Assert.Contains(down, t => t.StartsWith("forge github: down", StringComparison.Ordinal) && t.Contains("401 Unauthorized", StringComparison.Ordinal));
        Assert.Contains(down, t => t.StartsWith("forge gitlab: down", StringComparison.Ordinal) && t.Contains("Name or service not known", StringComparison.Ordinal));
        Assert.Contains(down, t => t.StartsWith("provider k8s: down", StringComparison.Ordinal) && t.Contains("Connection refused", StringComparison.Ordinal));
        var degraded = await page.Locator("#components .component.degraded").AllInnerTextsAsync();
        Assert.Contains(degraded, t => t.StartsWith("provider local: degraded", StringComparison.Ordinal) && t.Contains("half-open", StringComparison.Ordinal));
        Assert.Equal("rgb(180, 35, 24)", await page.Locator("#components .component.down").First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor"));

        // The breaker strip: a half-open breaker has its own colour (the API once said "halfopen", which no style matched).
        var halfOpen = page.Locator("#breakers .half-open");
        Assert.Equal("half-open", await halfOpen.InnerTextAsync());
        Assert.Equal("rgb(254, 200, 75)", await halfOpen.EvaluateAsync<string>("e => getComputedStyle(e).color"));

        // Every run keeps its screenshot under artifacts/; DROVER_UPDATE_SCREENSHOTS=1 refreshes the one docs/ shows.
        var root = Testing.SharedData.RepositoryRoot ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
        var screenshot = Environment.GetEnvironmentVariable("DROVER_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(root, "docs", "img", "dashboard-health.png")
            : Path.Combine(root, "artifacts", "screenshots", "dashboard-health.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = false });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot holds a rendered page");
    }

    [ChromiumFact]
    public async Task Dashboard_OpenedLate_StartsAtTheNewestEvents_AndADrainedPoolSaysSoOnTheLeader()
    {
        await using var app = await ServerFixture.StartDemoAsync(_directory.File("state.db"));
        var store = app.Services.GetRequiredService<IStateStore>();
        // More than one poll's worth of history: a view that starts at event 1 shows events minutes old at first.
        await store.InTransactionAsync(
            async (writer, ct) =>
            {
                for (var i = 0; i < 1500; i++)
                {
                    await writer.AppendEventAsync(new NewEvent(DateTimeOffset.UnixEpoch.AddSeconds(i), "test", "test.history", $"old-{i}", "history"), ct);
                }

                return true;
            },
            CancellationToken.None);
        using (var operatorClient = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Operator))
        {
            using var drained = await operatorClient.PostAsync("/api/v1/pools/gpu/drain", new StringContent("{\"reason\": \"maintenance\"}", System.Text.Encoding.UTF8, "application/json"));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, drained.StatusCode);
        }

        var newest = (await store.ListEventsAsync(new EventQuery { Newest = true, Limit = 1 }, CancellationToken.None)).Single().Id;
        Assert.True(newest > 1500);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync($"{app.Urls.First()}/#token={ServerFixture.Tokens[ApiRole.Viewer]}");

        // The first render already shows the newest events (not events 1 to 1,000 of a catch-up).
        await page.WaitForSelectorAsync("#events tr", new PageWaitForSelectorOptions { Timeout = 30_000 });
        var shown = long.Parse(await page.Locator("#events tr").First.GetAttributeAsync("data-id") ?? "0", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(shown >= newest, $"the top event is {shown}; the newest when the page opened was {newest}");
        Assert.Equal(25, await page.Locator("#events tr").CountAsync());

        // The leader plans no drained pool; it says it is drained, not that the leader plans it.
        await Eventually.ThatAsync(
            async () => (await page.Locator("#pools tr").AllInnerTextsAsync()).FirstOrDefault(r => r.StartsWith("gpu", StringComparison.Ordinal)) ?? string.Empty,
            row => row.Contains("(drained)", StringComparison.Ordinal),
            "the gpu row drained",
            row => row,
            TimeSpan.FromSeconds(30));
        var gpu = (await page.Locator("#pools tr").AllInnerTextsAsync()).First(r => r.StartsWith("gpu", StringComparison.Ordinal));
        Assert.Equal("leader", await page.Locator("#role").InnerTextAsync());
        Assert.DoesNotContain("planned by the leader", gpu, StringComparison.Ordinal);
        Assert.Contains("drained", gpu[3..], StringComparison.Ordinal);
    }

    /// <summary>The numeric cells of the pools table, as one string.</summary>
    private static async Task<string> Numbers(IPage page) =>
        string.Join(",", await page.Locator("#pools td.num").AllInnerTextsAsync());
}
