using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Core.Ports;
using Drover.Engine.Demo;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Server.Api;
using Drover.Server.Auth;
using Drover.Server.Metrics;
using Drover.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>Builds the <c>drover serve</c> web application: control loop, simulated world, API, metrics and dashboard.</summary>
public static class DroverServer
{
    /// <summary>Opens the store, loads the fleet and wires everything; the caller runs (and disposes) the app.</summary>
    /// <exception cref="InvalidOperationException">The configuration is invalid or needs adapters this build lacks; the message says which.</exception>
    public static async Task<WebApplication> BuildAsync(ServerOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        time ??= TimeProvider.System;
        var loaded = options.LoadConfig();
        if (loaded.Config is not { } config)
        {
            throw new InvalidOperationException("invalid configuration:\n" + string.Join("\n", loaded.Errors));
        }

        DemoWorld world;
        try
        {
            world = new DemoWorld(config, options.DemoOptions, time);
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException($"{e.Message}. This build ships only the simulated world; GitHub, GitLab and cloud adapters come in their own projects.", e);
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = AdminEndpoints.MaxBodyBytes * 4);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
        var store = await StateStoreFactory.OpenAsync(options.StoreLocation, cancellationToken).ConfigureAwait(false);
        var metrics = new EngineMetrics();
        builder.Services.AddSingleton<IStateStore>(store);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(sp =>
        {
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Engine");
            var adapters = new EngineAdapters(world.Providers, world.Forges);
            var loop = new ControlLoop(config, store, adapters, time, logger, metrics, new ControlLoopOptions { ResyncInterval = options.ResyncInterval });
            world.Attach(loop.Vault);
            return loop;
        });
        builder.Services.AddSingleton(world);
        builder.Services.AddSingleton(sp => new PrometheusExporter(metrics.Meter));
        builder.Services.AddSingleton(sp => new ConfigReloader(
            sp.GetRequiredService<ControlLoop>(), store, time, options.LoadConfig, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Reload")));
        builder.Services.AddSingleton(sp => new ServerState(sp.GetRequiredService<ControlLoop>(), store, new TokenRegistry(options.Tokens), time, options, sp.GetRequiredService<ConfigReloader>()));
        builder.Services.AddHostedService(sp => new ControlPlaneService(sp.GetRequiredService<ControlLoop>(), sp.GetRequiredService<DemoWorld>()));
        if (options.ConfigFile is { } configFile)
        {
            builder.Services.AddHostedService(sp => new ConfigFileWatcher(
                configFile, sp.GetRequiredService<ConfigReloader>(), time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Reload")));
        }

        var app = builder.Build();
        var state = app.Services.GetRequiredService<ServerState>();
        HealthEndpoints.Map(app, state, app.Services.GetRequiredService<PrometheusExporter>());
        ReadEndpoints.Map(app, state);
        AdminEndpoints.Map(app, state);
        WebhookEndpoints.Map(app, state, metrics);
        DashboardEndpoint.Map(app, options.Demo);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            metrics.Dispose();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return app;
    }
}
