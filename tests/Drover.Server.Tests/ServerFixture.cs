using System.Net.Http.Headers;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Server.Tests;

/// <summary>The demo server on 127.0.0.1:0 with a fast world, a temporary store and one token per role.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-server-").FullName;
    private WebApplication? _app;

    public static readonly IReadOnlyDictionary<ApiRole, string> Tokens = new Dictionary<ApiRole, string>
    {
        [ApiRole.Viewer] = "viewer-token-value",
        [ApiRole.Operator] = "operator-token-value",
        [ApiRole.Admin] = "admin-token-value",
    };

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The running server's state store, for reading back what the API wrote.</summary>
    public IStateStore Store => _app!.Services.GetRequiredService<IStateStore>();

    public async Task InitializeAsync()
    {
        _app = await StartDemoAsync(Path.Combine(_directory, "state.db"));
        BaseAddress = new Uri(_app.Urls.First());
    }

    /// <summary>The demo world, fast: boots in under a second, 45 jobs an hour sped up 120 times.</summary>
    private static AdapterCatalog FastDemoCatalog() =>
        new AdapterCatalog().Add(new SimulatedModule(new DemoOptions { SpeedUp = 120, BootMin = TimeSpan.FromMilliseconds(200), BootMax = TimeSpan.FromMilliseconds(500), JobsPerHour = 45, Tick = TimeSpan.FromMilliseconds(100) }));

    /// <summary>Starts the fast demo server on the SQLite file <paramref name="storePath"/>; the caller stops it.</summary>
    public static async Task<WebApplication> StartDemoAsync(string storePath, Func<ServerOptions, ServerOptions>? adjust = null)
    {
        var catalog = FastDemoCatalog()
            .Add(TestForgeModule.WebhooksOnly(ForgeKind.GitHub))
            .Add(TestForgeModule.WebhooksOnly(ForgeKind.GitLab));
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var options = new ServerOptions
        {
            LoadConfig = () => loader.LoadFromString(DemoFleet.Yaml(), DemoFleet.FileName),
            StoreLocation = "sqlite:" + storePath,
            Urls = "http://127.0.0.1:0",
            Tokens = [.. Tokens.Select(t => new ApiToken($"{t.Key.ToString().ToLowerInvariant()}-bot", t.Key, TokenRegistry.Hash(t.Value)))],
            Demo = true,
            Catalog = catalog,
            ResyncInterval = TimeSpan.FromSeconds(1),
        };
        var app = await DroverServer.BuildAsync(adjust is null ? options : adjust(options));
        await app.StartAsync();
        return app;
    }

    /// <summary>
    /// Starts the fast demo world served from the fleet file <paramref name="configPath"/>, which the server watches, on the
    /// SQLite file <paramref name="storePath"/>, with <paramref name="tokens"/>; the caller stops it with <see cref="StopAsync"/>.
    /// </summary>
    public static async Task<WebApplication> StartFromFileAsync(string configPath, string storePath, params ApiToken[] tokens)
    {
        var catalog = FastDemoCatalog();
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        var app = await DroverServer.BuildAsync(new ServerOptions
        {
            LoadConfig = () => loader.LoadFromFile(configPath),
            ConfigFile = configPath,
            StoreLocation = "sqlite:" + storePath,
            Urls = "http://127.0.0.1:0",
            Tokens = tokens,
            Catalog = catalog,
            ResyncInterval = TimeSpan.FromSeconds(1),
        });
        await app.StartAsync();
        return app;
    }

    /// <summary>Stops and disposes a server, then deletes its temporary folder (left behind while a pooled SQLite handle is still closing).</summary>
    public static async Task StopAsync(WebApplication? app, string directory)
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing; the temp directory is left behind.
        }
    }

    public HttpClient Client(ApiRole? role = null) => Client(BaseAddress, role);

    public static HttpClient Client(Uri baseAddress, ApiRole? role = null)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(20) };
        if (role is { } r)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tokens[r]);
        }

        return client;
    }

    public Task DisposeAsync() => StopAsync(_app, _directory);
}
