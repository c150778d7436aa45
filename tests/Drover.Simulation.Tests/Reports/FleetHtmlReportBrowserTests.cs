using Drover.Simulation.Reports;
using Drover.Simulation.Tests.FleetPlanning;
using Drover.Testing;
using Microsoft.Playwright;

namespace Drover.Simulation.Tests.Reports;

/// <summary>The fleet report's sweep chart in a real headless Chromium; leaves a screenshot in artifacts/screenshots.</summary>
public sealed class FleetHtmlReportBrowserTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-fleet-report-");

    public void Dispose() => _directory.Dispose();

    [ChromiumFact]
    public async Task SweepChart_RendersTheCurveWithAPointPerValue_AndTheRecommendation()
    {
        var report = FleetSimulationTests.Sweep();
        var page = _directory.File("report.html");
        await File.WriteAllTextAsync(page, FleetHtmlReport.Render(report));

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1100, Height = 900 } });
        await tab.GotoAsync(new Uri(page).AbsoluteUri);

        var chart = tab.Locator(".sweep svg").First;
        var box = await chart.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.Width > 600 && box.Height > 150, $"the chart is drawn at {box.Width}x{box.Height}");
        Assert.Equal(4, await tab.Locator(".sweep svg circle").CountAsync());
        var curve = await tab.Locator(".sweep svg path").First.BoundingBoxAsync();
        Assert.True(curve is { Width: > 100 }, "the curve spans the chart");
        Assert.Equal(["idle 0", "idle 1", "idle 2", "idle 3"], (await tab.Locator(".sweep svg text").AllTextContentsAsync()).Where(t => t.StartsWith("idle ", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray());
        var advice = await tab.Locator("#recommendations li").First.InnerTextAsync();
        Assert.StartsWith("linux: idle ", advice, StringComparison.Ordinal);

        // Every run keeps its screenshot under artifacts/; DROVER_UPDATE_SCREENSHOTS=1 refreshes the one docs/ shows.
        var root = Testing.SharedData.RepositoryRoot ?? throw new InvalidOperationException("Drover.sln not found above the test directory");
        var screenshot = Environment.GetEnvironmentVariable("DROVER_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(root, "docs", "img", "simulate-sweep.png")
            : Path.Combine(root, "artifacts", "screenshots", "simulate-sweep.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await tab.Locator("h1").First.ScrollIntoViewIfNeededAsync();
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot holds a rendered page");
    }
}
