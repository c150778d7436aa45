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

        // Cost within a minute of the start: a non-zero month's cost for a pool and for a team (which of the demo's two
        // teams has run first differs from run to run; CostApiTests checks both in the API).
        await page.WaitForFunctionAsync(
            """
            () => {
              const rows = id => [...document.querySelectorAll(id + ' tr')].filter(r => r.cells.length === 4).map(r => [...r.cells].map(c => c.innerText));
              const nonZero = t => /[1-9]/.test(t.split(' ')[0]);
              const teams = rows('#costTeams');
              return rows('#costPools').some(r => nonZero(r[2])) && teams.some(r => ['ml', 'platform'].includes(r[0]) && nonZero(r[2]));
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
        // Found and read in one evaluation: the header is redrawn when a component's text changes (its failed-call count
        // goes up), and a style read from an element replaced in between is empty.
        Assert.Equal("rgb(180, 35, 24)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#components .component.down')).backgroundColor"));

        // The breaker strip: a half-open breaker has its own colour (the API once said "halfopen", which no style matched).
        var halfOpen = page.Locator("#breakers .half-open");
        Assert.Equal("half-open", await halfOpen.InnerTextAsync());
        Assert.Equal("rgb(254, 200, 75)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('#breakers .half-open')).color"));

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
                    // Minutes old, not older than the event retention (30 days), which would delete them at once.
                    await writer.AppendEventAsync(new NewEvent(DateTimeOffset.UtcNow.AddHours(-1).AddSeconds(i), "test", "test.history", $"old-{i}", "history"), ct);
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

    [ChromiumFact]
    public async Task Dashboard_ChartsDrawTheServersHistory_JobsViewListsJobsWithPhaseBars_AndAViewerSeesNoActions()
    {
        await using var app = await ServerFixture.StartDemoAsync(_directory.File("state.db"), o => o with { HistoryInterval = TimeSpan.FromMilliseconds(250), HistoryRetention = TimeSpan.FromMinutes(10) });
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        await page.GotoAsync($"{app.Urls.First()}/#token={ServerFixture.Tokens[ApiRole.Viewer]}");

        // Every chart draws lines of several points from the server's samples once runners boot and jobs start.
        foreach (var chart in new[] { "#chartWait", "#chartRunners", "#chartDemand", "#chartCost" })
        {
            await page.WaitForFunctionAsync(
                $"[...document.querySelectorAll('{chart} svg polyline')].some(p => Number(p.dataset.points) >= 3)", null, new PageWaitForFunctionOptions { Timeout = 20_000, PollingInterval = 250 });
        }

        var demand = await page.Locator("#chartDemand svg polyline").EvaluateAllAsync<string[]>("ps => ps.map(p => p.dataset.series)");
        Assert.Contains("demand: queued + running jobs", demand);
        Assert.Contains("capacity: runners requested, booting, idle or busy", demand);
        var states = await page.Locator("#chartRunners .legend span").AllInnerTextsAsync();
        Assert.Contains("busy", states);
        var waitSeries = await page.Locator("#chartWait svg polyline").EvaluateAllAsync<string[]>("ps => ps.map(p => p.dataset.series)");
        Assert.Contains(waitSeries, s => s.EndsWith(" p95", StringComparison.Ordinal));
        Assert.Contains(waitSeries, s => s.EndsWith(" p50", StringComparison.Ordinal));

        // The jobs view lists jobs with their pool; a job whose API answer has phases gets a bar with one part per phase.
        await page.WaitForFunctionAsync("document.querySelectorAll('#jobs tr[data-job]').length >= 3 && document.querySelector(\"#jobs tr[data-state='completed']\") !== null", null, new PageWaitForFunctionOptions { Timeout = 45_000, PollingInterval = 250 });
        var rows = await page.Locator("#jobs tr[data-job]").EvaluateAllAsync<string[][]>("rs => rs.map(r => [r.dataset.job, r.dataset.state, r.cells[2].innerText])");
        Assert.All(rows, r => Assert.Contains(r[2], new[] { "linux", "gpu", "docker" }));
        Assert.Contains(rows, r => r[1] == "completed");
        List<string> withPhases;
        using (var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer))
        {
            using var completed = System.Text.Json.JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/jobs?state=completed&limit=25"));
            withPhases = completed.RootElement.GetProperty("jobs").EnumerateArray()
                .Where(j => j.TryGetProperty("phases", out var phases) && phases.ValueKind == System.Text.Json.JsonValueKind.Object && phases.EnumerateObject().Any(p => p.Value.ValueKind == System.Text.Json.JsonValueKind.Number && p.Value.GetDouble() > 0))
                .Select(j => $"{j.GetProperty("key").GetProperty("forge").GetString()}/{j.GetProperty("key").GetProperty("id").GetString()}")
                .ToList();
            // Tolerant only of the phases field's absence: where the API gives phases for a listed job, its row has a bar.
            foreach (var job in withPhases.Where(j => rows.Any(r => r[0] == j)))
            {
                Assert.True(await page.Locator($"#jobs tr[data-job='{job}'] .phases span[data-phase]").CountAsync() > 0, $"{job} has phases in the API and a phase bar");
            }
        }

        // A viewer's token: no drain, resume or delete anywhere.
        await page.WaitForSelectorAsync("#runners tr", new PageWaitForSelectorOptions { Timeout = 20_000 });
        Assert.Equal("viewer-bot (viewer)", await page.Locator("#who").InnerTextAsync());
        Assert.Equal("false", await page.Locator("body").GetAttributeAsync("data-operator"));
        Assert.Equal(0, await page.Locator("button.action").CountAsync());

        await Screenshot(page.Locator("#history"), "dashboard-charts.png");
        await Screenshot(page.Locator("#jobsView"), "dashboard-jobs.png", maxHeight: 420);

        // How the page draws phases, whatever the server gives today: the completed jobs' answer with known phases put in
        // on the way (the real answer above is the screenshot's). One part per phase, in order, sized by its share.
        await page.RouteAsync(new System.Text.RegularExpressions.Regex(@"/api/v1/jobs\?state=completed"), async route =>
        {
            var response = await route.FetchAsync();
            var body = System.Text.Json.Nodes.JsonNode.Parse(await response.TextAsync())!;
            foreach (var job in body["jobs"]!.AsArray())
            {
                job!["phases"] = new System.Text.Json.Nodes.JsonObject { ["intake"] = 0.4, ["decision"] = 0.1, ["provisioning"] = 2.0, ["boot"] = 30.1, ["registration"] = 1.2, ["pickup"] = 3.3 };
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = response, Body = body.ToJsonString() });
        });

        // The view is drawn anew every few seconds: wait for the drawing of the changed answer.
        await page.WaitForFunctionAsync(
            "(document.querySelector(\"#jobs tr[data-state='completed'] .phases\")?.title || '').includes('boot 30s')", null, new PageWaitForFunctionOptions { Timeout = 15_000, PollingInterval = 250 });
        var completedRow = page.Locator("#jobs tr[data-state='completed']").First;
        Assert.Equal(["intake", "decision", "provisioning", "boot", "registration", "pickup"], await completedRow.Locator(".phases span[data-phase]").EvaluateAllAsync<string[]>("ss => ss.map(s => s.dataset.phase)"));
        var boot = await completedRow.Locator(".phases span[data-phase='boot']").EvaluateAsync<double>("s => s.getBoundingClientRect().width / s.parentElement.getBoundingClientRect().width");
        Assert.InRange(boot, 30.1 / 37.1 - 0.02, 30.1 / 37.1 + 0.02);
        Assert.Equal(["intake", "decision", "provisioning", "boot", "registration", "pickup"], (await page.Locator("#phaseLegend span").AllInnerTextsAsync()).ToArray());
    }

    [ChromiumFact]
    public async Task Dashboard_OperatorDrainsAPool_TheApiShowsItDrained_ThenResumesIt_AndSeesTheApisError()
    {
        await using var app = await ServerFixture.StartDemoAsync(_directory.File("state.db"));
        using var viewer = ServerFixture.Client(new Uri(app.Urls.First()), ApiRole.Viewer);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.AcceptAsync();
        };
        await page.GotoAsync($"{app.Urls.First()}/#token={ServerFixture.Tokens[ApiRole.Operator]}");

        await page.Locator("#pools tr[data-pool='gpu'] button[data-act='drain']").ClickAsync(new LocatorClickOptions { Timeout = 20_000 });
        await Eventually.ThatAsync(() => GpuDrained(viewer), drained => drained, "the API shows gpu drained", timeout: TimeSpan.FromSeconds(15));
        Assert.Equal("drain requested for pool gpu", await page.Locator("#notice").InnerTextAsync());
        Assert.Contains(dialogs, d => d.StartsWith("Drain pool gpu?", StringComparison.Ordinal));
        using (var events = System.Text.Json.JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/events?newest=true&limit=50")))
        {
            Assert.Contains(events.RootElement.GetProperty("events").EnumerateArray(), e => e.GetProperty("subject").GetString() == "gpu" && e.GetProperty("actor").GetString() == "api:operator-bot" && e.GetProperty("message").GetString() == "from the dashboard");
        }

        var resume = page.Locator("#pools tr[data-pool='gpu'] button[data-act='resume']");
        await resume.WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });
        Assert.True(await page.Locator("#runners button[data-act='delete']").CountAsync() + await page.Locator("#pools button[data-act='drain']").CountAsync() > 0, "an operator sees the other actions too");
        await Screenshot(page.Locator("#poolsView"), "dashboard-actions.png");
        await resume.ClickAsync();
        await Eventually.ThatAsync(() => GpuDrained(viewer), drained => !drained, "the API shows gpu resumed", timeout: TimeSpan.FromSeconds(15));
        await page.Locator("#pools tr[data-pool='gpu'] button[data-act='drain']").WaitForAsync(new LocatorWaitForOptions { Timeout = 15_000 });

        // A refused action shows the API's own error: resuming a pool that is not drained is a 409 with its reason.
        await page.EvaluateAsync("() => { const b = document.createElement('button'); b.className = 'action'; b.dataset.act = 'resume'; b.dataset.target = 'linux'; document.querySelector('#pools').append(b); b.click(); }");
        await page.WaitForFunctionAsync("document.querySelector('#notice').innerText.includes('not drained')", null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        Assert.Equal("resume linux: pool 'linux' is not drained", await page.Locator("#notice").InnerTextAsync());
    }

    private static async Task<bool> GpuDrained(HttpClient viewer)
    {
        using var pools = System.Text.Json.JsonDocument.Parse(await viewer.GetStringAsync("/api/v1/pools"));
        return pools.RootElement.GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "gpu").GetProperty("drained").GetBoolean();
    }

    private static Task<IBrowser> LaunchAsync(IPlaywright playwright) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });

    /// <summary>
    /// A screenshot of one part of the page under artifacts/screenshots; DROVER_UPDATE_SCREENSHOTS=1 refreshes the one
    /// docs/img shows instead.
    /// </summary>
    private static async Task Screenshot(ILocator part, string name, int? maxHeight = null)
    {
        var root = Testing.SharedData.RepositoryRoot ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
        var path = Environment.GetEnvironmentVariable("DROVER_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(root, "docs", "img", name)
            : Path.Combine(root, "artifacts", "screenshots", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var box = await part.BoundingBoxAsync() ?? throw new InvalidOperationException($"{name}: the part is not rendered");
        await part.Page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = path,
            FullPage = true,
            Clip = new Clip { X = box.X, Y = box.Y, Width = box.Width, Height = Math.Min(box.Height, maxHeight ?? box.Height) },
        });
        Assert.True(new FileInfo(path).Length > 5_000, $"{name} holds a rendered part of the page");
    }

    /// <summary>The numeric cells of the pools table, as one string.</summary>
    private static async Task<string> Numbers(IPage page) =>
        string.Join(",", await page.Locator("#pools td.num").AllInnerTextsAsync());
}
