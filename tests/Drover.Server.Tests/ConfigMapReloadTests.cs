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

/// <summary>
/// A server whose config file is mounted the way the kubelet mounts a ConfigMap or Secret key: <c>fleet.yaml</c> is a
/// symlink to <c>..data/fleet.yaml</c>, <c>..data</c> a symlink to a timestamped directory, and an update writes a new
/// directory and swaps <c>..data</c> atomically (rename), so <c>fleet.yaml</c> itself is never written.
/// </summary>
public sealed class ConfigMapReloadTests : IAsyncLifetime
{
    private const string ViewerToken = "viewer-token-value";
    private static readonly TimeSpan _wait = TimeSpan.FromSeconds(15);
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-configmap-").FullName;
    private WebApplication? _app;
    private HttpClient _client = null!;
    private int _version;

    private string ConfigPath => Path.Combine(_directory, "fleet.yaml");

    public async Task InitializeAsync()
    {
        await KubeletUpdateAsync(_directory, DemoFleet.Yaml(), ++_version);
        File.CreateSymbolicLink(ConfigPath, Path.Combine("..data", "fleet.yaml"));
        Directory.CreateDirectory(Path.Combine(_directory, "state"));
        _app = await ServerFixture.StartFromFileAsync(ConfigPath, Path.Combine(_directory, "state", "state.db"), new ApiToken("viewer-bot", ApiRole.Viewer, TokenRegistry.Hash(ViewerToken)));
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.First()), Timeout = TimeSpan.FromSeconds(20) };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ViewerToken);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await ServerFixture.StopAsync(_app, _directory);
    }

    [Fact]
    public async Task ConfigMapUpdate_DataSymlinkSwapped_IsApplied()
    {
        Assert.Equal(3, await GpuMaxAsync());

        await KubeletUpdateAsync(_directory, DemoFleet.Yaml().Replace("max: 3", "max: 5", StringComparison.Ordinal), ++_version);

        await Eventually.ThatAsync(GpuMaxAsync, max => max == 5, "pool gpu's max changed to 5 by the ConfigMap update", max => $"max {max}", _wait);
        await Eventually.ThatAsync(ReloadsAsync, reloads => reloads == 1, "one reload event", reloads => $"{reloads} reloads", _wait);

        // A second update is followed too (the watcher is not bound to the first target).
        await KubeletUpdateAsync(_directory, DemoFleet.Yaml().Replace("max: 3", "max: 7", StringComparison.Ordinal), ++_version);

        await Eventually.ThatAsync(GpuMaxAsync, max => max == 7, "pool gpu's max changed to 7 by the second update", max => $"max {max}", _wait);
    }

    /// <summary>
    /// What the kubelet's atomic writer does: the payload in a new <c>..VERSION</c> directory, a <c>..data_tmp</c>
    /// symlink to it renamed over <c>..data</c> (rename(2), atomic), then the old directory removed.
    /// </summary>
    internal static async Task KubeletUpdateAsync(string directory, string content, int version)
    {
        var payload = $"..2026_12_07_00_00_0{version}.{version}";
        Directory.CreateDirectory(Path.Combine(directory, payload));
        await File.WriteAllTextAsync(Path.Combine(directory, payload, "fleet.yaml"), content);
        var temporary = Path.Combine(directory, "..data_tmp");
        File.CreateSymbolicLink(temporary, payload);
        var data = Path.Combine(directory, "..data");
        var old = File.Exists(data) || Directory.Exists(data) ? new FileInfo(data).LinkTarget : null;
        Rename(temporary, data);
        if (old is not null)
        {
            Directory.Delete(Path.Combine(directory, old), recursive: true);
        }
    }

    private static void Rename(string from, string to)
    {
        // rename(2) replaces the symlink ..data in one step, as the kubelet does; File.Move would refuse a target that
        // resolves to a directory.
        using var mv = System.Diagnostics.Process.Start("mv", ["-T", "-f", from, to]);
        mv.WaitForExit();
        Assert.Equal(0, mv.ExitCode);
    }

    private async Task<int> GpuMaxAsync()
    {
        using var pool = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/pools/gpu"));
        return pool.RootElement.GetProperty("max").GetInt32();
    }

    private async Task<int> ReloadsAsync()
    {
        using var events = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/events?limit=1000"));
        return events.RootElement.GetProperty("events").EnumerateArray().Count(e => e.GetProperty("kind").GetString() == "config.file.reload");
    }
}
