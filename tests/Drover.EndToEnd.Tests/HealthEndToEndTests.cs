using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.EndToEnd.Tests.Support;
using Drover.Forges.GitLab;
using Drover.Server.Auth;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.GitLab;
using Microsoft.AspNetCore.Builder;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with the real GitHub and GitLab forges and the real process provider: what
/// <c>GET /api/v1/health</c> and <c>drover_component_up</c> say when a forge is unreachable, refuses the credential or
/// rate-limits, when the provider cannot start runners, and when everything works.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class HealthEndToEndTests : IDisposable
{
    private const string GitLabToken = "glpat-health-token";
    private const string GitHubToken = "ghp_health_token";
    private const string ViewerToken = "health-viewer-token";
    private readonly TempDirectory _directory = new("drover-health-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_GitLabOnAClosedPort_ForgeIsDown_GaugeZero_ReadyzStillOk()
    {
        var closed = new Uri($"http://127.0.0.1:{ClosedPort()}");
        await using var app = await StartAsync(gitlab: closed);
        using var api = Viewer(app);

        var report = await WaitForAsync(api, r => Status(r, "forge", "gitlab") == "down");

        var gitlab = Component(report, "forge", "gitlab");
        Assert.Contains("refused", gitlab.GetProperty("lastError").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(JsonValueKind.Null, gitlab.GetProperty("lastSuccess").ValueKind);
        Assert.DoesNotContain(GitLabToken, report.ToString(), StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"gitlab\"} 0", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
        using var ready = await api.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Serve_GitLabRefusesTheToken_ForgeIsDownWith401()
    {
        await using var gitlab = await GitLabEmulator.StartAsync("glpat-some-other-token");
        await using var app = await StartAsync(gitlab: gitlab.Url);
        using var api = Viewer(app);

        var report = await WaitForAsync(api, r => Status(r, "forge", "gitlab") == "down");

        var forge = Component(report, "forge", "gitlab");
        Assert.Contains("401", forge.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("configuration or credential", forge.GetProperty("details").GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GitLabToken, report.ToString(), StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"gitlab\"} 0", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_GitHubRefusesTheToken_ForgeIsDownWith401()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = ["ghp_a_different_token"] });
        await using var app = await StartAsync(github: github.ApiUrl);
        using var api = Viewer(app);

        var report = await WaitForAsync(api, r => Status(r, "forge", "github") == "down");

        var forge = Component(report, "forge", "github");
        Assert.Contains("401", forge.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, report.ToString(), StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"github\"} 0", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_GitHubRateLimitNearlySpent_ForgeIsDegraded_GaugeStaysOne()
    {
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubToken] });
        github.SetRateLimit(12, DateTimeOffset.UtcNow.AddMinutes(30));
        await using var app = await StartAsync(github: github.ApiUrl);
        using var api = Viewer(app);

        var report = await WaitForAsync(api, r => Status(r, "forge", "github") == "degraded" && Component(r, "forge", "github").GetProperty("details").TryGetProperty("rateLimitRemaining", out _));

        var details = Component(report, "forge", "github").GetProperty("details");
        Assert.StartsWith("rate limit nearly spent", details.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.True(long.Parse(details.GetProperty("rateLimitRemaining").GetString()!, System.Globalization.CultureInfo.InvariantCulture) < 500);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"github\"} 1", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_GitLabAnswers429_ForgeIsDegradedRateLimited()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(gitlab: gitlab.Url);
        using var api = Viewer(app);
        await WaitForAsync(api, r => Status(r, "forge", "gitlab") == "ok");

        gitlab.RateLimitNext(20);
        var report = await WaitForAsync(api, r => Status(r, "forge", "gitlab") == "degraded" && Component(r, "forge", "gitlab").GetProperty("lastError").ValueKind == JsonValueKind.String);

        var forge = Component(report, "forge", "gitlab");
        Assert.Matches("429|rate limited", forge.GetProperty("lastError").GetString());
        Assert.Matches("rate limit|429", forge.GetProperty("details").GetProperty("reason").GetString());
        Assert.NotEqual(JsonValueKind.Null, forge.GetProperty("lastSuccess").ValueKind);
        Assert.Contains("drover_component_up{kind=\"forge\",name=\"gitlab\"} 1", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ProcessProviderCannotStartRunners_ProviderIsDown()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var app = await StartAsync(gitlab: gitlab.Url, command: Path.Combine(_directory.Path, "no-such-runner"));
        using var api = Viewer(app);

        for (var i = 0; i < 4; i++)
        {
            gitlab.Queue(101, ["docker"], TimeSpan.FromSeconds(1));
        }

        var report = await WaitForAsync(api, r => Status(r, "provider", "local") == "down", seconds: 90);

        var provider = Component(report, "provider", "local");
        Assert.Contains("no-such-runner", provider.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        Assert.Contains("drover_component_up{kind=\"provider\",name=\"local\"} 0", await api.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_AfterSuccessfulCalls_EveryComponentIsOk_AndUp()
    {
        await using var gitlab = await GitLabEmulator.StartAsync(GitLabToken);
        await using var github = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubToken] });
        await using var app = await StartAsync(gitlab: gitlab.Url, github: github.ApiUrl);
        using var api = Viewer(app);

        var report = await WaitForAsync(api, r => r.GetProperty("status").GetString() == "ok");

        Assert.Equal(
            ["forge github", "forge gitlab", "leadership health-e2e", "provider local", "store sqlite"],
            report.GetProperty("components").EnumerateArray().Select(c => $"{c.GetProperty("kind").GetString()} {c.GetProperty("name").GetString()}").Order(StringComparer.Ordinal).ToArray());
        Assert.All(report.GetProperty("components").EnumerateArray(), c => Assert.NotEqual(JsonValueKind.Null, c.GetProperty("lastSuccess").ValueKind));
        var metrics = await api.GetStringAsync("/metrics");
        foreach (var (kind, name) in new[] { ("forge", "github"), ("forge", "gitlab"), ("provider", "local"), ("store", "sqlite"), ("leadership", "health-e2e") })
        {
            Assert.Contains($"drover_component_up{{kind=\"{kind}\",name=\"{name}\"}} 1", metrics, StringComparison.Ordinal);
        }
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<WebApplication> StartAsync(Uri? gitlab = null, Uri? github = null, string? command = null)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var forges = (gitlab is null ? string.Empty : $$"""
              - name: gitlab
                kind: gitlab
                url: {{gitlab}}
                auth: { token: env:HEALTH_GITLAB_TOKEN }
            """) + "\n" + (github is null ? string.Empty : $$"""
              - name: github
                kind: github
                url: {{github}}
                auth: { token: env:HEALTH_GITHUB_TOKEN }
            """);
        var pools = (gitlab is null ? string.Empty : """
              - name: docker
                forge: gitlab
                scope: { group: acme }
                tags: [docker]
                provider: local
                max: 2
                idleTimeout: 2s
            """) + "\n" + (github is null ? string.Empty : """
              - name: actions
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: local
                max: 2
                idleTimeout: 2s
            """);
        var yaml = $$"""
            controllerId: drover
            forges:
            {{forges}}
            providers:
              - name: local
                type: process
                settings:
                  command: {{(command is null ? $"dotnet \"{standIn}\"" : $"\"{command}\"")}}
                  workRoot: "{{Path.Combine(_directory.Path, "runners")}}"
                  maxConcurrent: "4"
            pools:
            {{pools}}
            """;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["HEALTH_GITLAB_TOKEN"] = GitLabToken, ["HEALTH_GITHUB_TOKEN"] = GitHubToken };
        var catalog = new AdapterCatalog()
            .AddProcess(_ => { })
            .Add(new GitLabModule(GitLabForgeOptions.Default with { Environment = environment.GetValueOrDefault, PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(5) }))
            .AddGitHub(environment);
        return await TestServe.StartAsync(yaml, catalog, _directory.Path, "health-e2e", [new ApiToken("viewer-bot", ApiRole.Viewer, TokenRegistry.Hash(ViewerToken))]);
    }

    private static HttpClient Viewer(WebApplication app)
    {
        var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(20) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
        return client;
    }

    private static async Task<JsonElement> WaitForAsync(HttpClient api, Func<JsonElement, bool> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var report = JsonDocument.Parse(await api.GetStringAsync("/api/v1/health")).RootElement;
            if (condition(report))
            {
                return report;
            }

            Assert.True(DateTime.UtcNow < deadline, $"not reached within {seconds} s; last report: {report}");
            await Task.Delay(200);
        }
    }

    private static string? Status(JsonElement report, string kind, string name) =>
        report.GetProperty("components").EnumerateArray()
            .Where(c => c.GetProperty("kind").GetString() == kind && c.GetProperty("name").GetString() == name)
            .Select(c => c.GetProperty("status").GetString())
            .FirstOrDefault();

    private static JsonElement Component(JsonElement report, string kind, string name) =>
        report.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("kind").GetString() == kind && c.GetProperty("name").GetString() == name);
}
