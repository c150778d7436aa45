using System.Net.Http.Headers;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Drover.Testing;
using Microsoft.AspNetCore.Builder;

namespace Drover.Server.Tests;

/// <summary>A server started from a temporary config file, which each test edits.</summary>
public sealed class ConfigFileReloadTests : IAsyncLifetime
{
    private const string ViewerToken = "viewer-token-value";
    private const string AdminToken = "admin-token-value";
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-reload-").FullName;
    private WebApplication? _app;
    private HttpClient _client = null!;

    private string ConfigPath => Path.Combine(_directory, "fleet.yaml");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigPath, DemoFleet.Yaml());
        _app = await ServerFixture.StartFromFileAsync(ConfigPath, Path.Combine(_directory, "state.db"), new ApiToken("viewer-bot", ApiRole.Viewer, TokenRegistry.Hash(ViewerToken)), new ApiToken("admin-bot", ApiRole.Admin, TokenRegistry.Hash(AdminToken)));
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(20) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await ServerFixture.StopAsync(_app, _directory);
    }

    [Fact]
    public async Task ConfigFile_ValidChange_IsApplied()
    {
        Assert.Equal(3, await GpuMaxAsync());

        await File.WriteAllTextAsync(ConfigPath, DemoFleet.Yaml().Replace("max: 3", "max: 5", StringComparison.Ordinal));

        await Eventually.ThatAsync(GpuMaxAsync, max => max == 5, "pool gpu's max changed to 5 by the file", max => $"max {max}", _wait);

        // The event is written once the new configuration is in force, so it may land a moment after the API shows it.
        await Eventually.ThatAsync(EventsAsync, events => events.Any(e => e.Kind == "config.file.reload" && e.Actor == ConfigFileWatcher.Actor), "the reload event", Kinds, _wait);
    }

    [Fact]
    public async Task ConfigFile_InvalidChange_IsRefusedWithAnEventAndTheOldConfigStays()
    {
        await File.WriteAllTextAsync(ConfigPath, DemoFleet.Yaml().Replace("max: 3", "max: lots", StringComparison.Ordinal));

        var rejected = "config.file.reload.rejected";
        var events = await Eventually.ThatAsync(EventsAsync, events => events.Any(e => e.Kind == rejected), "the rejection event", Kinds, _wait);
        var entry = events.First(e => e.Kind == rejected);
        Assert.Equal(ConfigFileWatcher.Actor, entry.Actor);
        Assert.Contains("the running one is kept", entry.Message, StringComparison.Ordinal);
        Assert.Equal(3, await GpuMaxAsync());
    }

    [Fact]
    public async Task ConfigFile_ForgeChange_IsRefusedSayingARestartAppliesIt_AndTheOldConfigStays()
    {
        await File.WriteAllTextAsync(ConfigPath, DemoFleet.Yaml()
            .Replace("url: https://github.invalid", "url: https://ghe.invalid", StringComparison.Ordinal)
            .Replace("max: 3", "max: 5", StringComparison.Ordinal));

        var rejected = "config.file.reload.rejected";
        var events = await Eventually.ThatAsync(EventsAsync, events => events.Any(e => e.Kind == rejected), "the rejection event", Kinds, _wait);
        var entry = events.First(e => e.Kind == rejected);
        Assert.Contains("forge 'github' changed its url", entry.Message, StringComparison.Ordinal);
        Assert.Contains("restart it to apply this", entry.Message, StringComparison.Ordinal);
        Assert.Equal(3, await GpuMaxAsync());
    }

    /// <summary>The demo fleet with U+2028 in two flow values: lines 27 and 39 are <c>    scope: { org: exa?mple }</c>, the character is their 22nd.</summary>
    private static string LineSeparatorFleet() =>
        DemoFleet.Yaml().Replace("max: 3", "max: 5", StringComparison.Ordinal).Replace("scope: { org: example }", "scope: { org: exa\u2028mple }", StringComparison.Ordinal);

    [Fact]
    public async Task ConfigFile_LineSeparatorInAFlowValue_IsRefusedWithItsLocationInTheEvent()
    {
        await File.WriteAllTextAsync(ConfigPath, LineSeparatorFleet());

        var rejected = "config.file.reload.rejected";
        var events = await Eventually.ThatAsync(EventsAsync, events => events.Any(e => e.Kind == rejected), "the rejection event", Kinds, _wait);
        var entry = events.First(e => e.Kind == rejected);
        Assert.Equal(ConfigFileWatcher.Actor, entry.Actor);
        Assert.Contains($"{ConfigPath}:43:22: the character U+2028 (LINE SEPARATOR) is not allowed", entry.Message, StringComparison.Ordinal);
        Assert.Equal(3, await GpuMaxAsync());
    }

    [Fact]
    public async Task ApiReload_LineSeparatorInAFlowValue_Answers400WithTheLocationAndRecordsTheRejection()
    {
        await File.WriteAllTextAsync(ConfigPath, LineSeparatorFleet());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reload");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminToken);

        using var response = await _client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var problems = body.RootElement.GetProperty("problems").EnumerateArray().Select(p => p.GetString()![..(ConfigPath.Length + 28)]).ToList();
        Assert.Equal([$"{ConfigPath}:43:22: the character U+2028", $"{ConfigPath}:56:22: the character U+2028"], problems);
        var events = await EventsAsync();
        var entry = Assert.Single(events, e => e.Kind == "api.reload.rejected");
        Assert.Equal("api:admin-bot", entry.Actor);
        Assert.Contains($"{ConfigPath}:43:22", entry.Message, StringComparison.Ordinal);
        Assert.Equal(3, await GpuMaxAsync());
    }

    private async Task<int> GpuMaxAsync()
    {
        using var pool = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/pools/gpu"));
        return pool.RootElement.GetProperty("max").GetInt32();
    }

    private async Task<List<(string Kind, string Actor, string Message)>> EventsAsync()
    {
        using var events = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/events?limit=1000"));
        return [.. events.RootElement.GetProperty("events").EnumerateArray()
            .Select(e => (e.GetProperty("kind").GetString()!, e.GetProperty("actor").GetString()!, e.GetProperty("message").GetString()!))];
    }

    private static string Kinds(List<(string Kind, string Actor, string Message)> events) => "events " + string.Join(", ", events.Select(e => e.Kind).Distinct(StringComparer.Ordinal));
}
