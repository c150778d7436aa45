using System.Text.Json;
using System.Text.Json.Serialization;
using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Health;
using Drover.Engine.Leadership;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Server.Api;
using Drover.Server.Auth;
using Drover.Server.History;
using Drover.Server.Metrics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Drover.Core.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>Builds the <c>drover serve</c> web application: leader election, control loop, adapters, API, metrics, dashboard and backups.</summary>
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
            throw new AdapterConfigurationException("invalid configuration:\n" + string.Join("\n", loaded.Errors));
        }

        var identity = ReplicaIdentity.Acquire(options.DataDirectory ?? ReplicaIdentity.DataDirectoryOf(options.StoreLocation), options.ReplicaId, options.Environment);
        try
        {
            return await BuildAsync(options, config, identity, time, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            identity.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Console logs in the chosen format from the chosen level on (ASP.NET Core's own from warnings only), replacing
    /// whatever the host's defaults or its configuration set up, so <c>--log-format</c> and <c>--log-level</c> are the
    /// whole story. Timestamps are UTC.
    /// </summary>
    private static void ConfigureLogging(ILoggingBuilder logging, LoggingOptions options)
    {
        const string timestamp = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        logging.ClearProviders();
        logging.SetMinimumLevel(options.MinimumLevel);
        logging.AddFilter("Microsoft.AspNetCore", level => level >= LogLevel.Warning && level >= options.MinimumLevel);
        if (options.Format == LogFormat.Json)
        {
            logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = timestamp;
                o.IncludeScopes = false;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = timestamp + " ";
                o.IncludeScopes = false;
            });
        }

        options.AddProviders?.Invoke(logging);
    }

    private static async Task<WebApplication> BuildAsync(ServerOptions options, FleetConfig config, ReplicaIdentity identity, TimeProvider time, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        builder.WebHost.UseUrls(options.Urls);
        CheckTls(options);
        if (options.Tls is not null)
        {
            // The slim builder leaves HTTPS out unless asked.
            builder.WebHost.UseKestrelHttpsConfiguration();
        }

        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = AdminEndpoints.MaxBodyBytes * 4;
            if (options.Tls is { } tls)
            {
                k.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => tls.Current);
            }
        });
        ConfigureLogging(builder.Logging, options.Logging);
        var telemetry = OpenTelemetryOptions.FromEnvironment(options.Environment);
        if (telemetry is not null)
        {
            OpenTelemetryExport.Add(builder.Services, telemetry, identity.Id);
        }

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower)));
        // Checked before the store is opened, so a bad SSO setting leaves nothing open behind it.
        var sso = options.Oidc is { } oidc ? await Sso.ConfigureAsync(builder.Services, oidc, options, identity.DataDirectory, time, cancellationToken).ConfigureAwait(false) : null;
        var store = await options.OpenStore(options.StoreLocation, cancellationToken).ConfigureAwait(false);
        var metrics = new EngineMetrics(time);
        var bootstrap = new InstanceBootstrap(time);
        ProcessMetrics.Register(metrics.Meter);
        builder.Services.AddSingleton<IStateStore>(store);
        builder.Services.AddSingleton(metrics);
        builder.Services.AddSingleton(sp =>
        {
            var logs = sp.GetRequiredService<ILoggerFactory>();
            var vault = new RunnerCredentialVault();
            ControlLoop? loop = null;
            var context = new AdapterContext(config, vault, time, logs) { Metrics = metrics, CurrentFleet = () => loop?.Snapshot.Config ?? config, DataDirectory = identity.DataDirectory, Bootstrap = bootstrap, Store = store };
            var adapters = options.Catalog.Build(context);
            BudgetWebhookNotifier.CheckUrls(config, new SecretResolver());
            var notifier = sp.GetRequiredService<BudgetWebhookNotifier>();
            loop = new ControlLoop(config, store, adapters, time, logs.CreateLogger("Drover.Engine"), metrics, new ControlLoopOptions { ResyncInterval = options.ResyncInterval, DeliveryAttempts = options.DeliveryAttempts, DeliveryRetryDelay = options.DeliveryRetryDelay, CostInterval = options.CostInterval }, vault: vault, notifier: notifier);
            return loop;
        });
        builder.Services.AddSingleton(sp => new BudgetWebhookNotifier(
            new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, new SecretResolver(), time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Budgets")));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BudgetWebhookNotifier>());
        builder.Services.AddSingleton(sp =>
        {
            var election = new LeaderElection(store, identity.Id, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Leadership"), options.Leadership);
            metrics.AttachLeadership(() => election.Role == LeaderRole.Leader);
            return election;
        });
        builder.Services.AddSingleton(sp =>
        {
            var monitor = new HealthMonitor(sp.GetRequiredService<ControlLoop>(), sp.GetRequiredService<LeaderElection>(), new StoreProbe(store, time, HealthMonitor.StoreName(options.StoreLocation)), time, sso?.Directory);
            metrics.AttachHealth(monitor.Current);
            return monitor;
        });
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HealthMonitor>());
        builder.Services.AddSingleton(_ => new FleetHistory(options.HistoryInterval, options.HistoryRetention));
        builder.Services.AddSingleton(sp => new HistorySampler(sp.GetRequiredService<ControlLoop>(), sp.GetRequiredService<FleetHistory>(), time));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<HistorySampler>());
        builder.Services.AddSingleton(sp => new BackupScheduler(store, options.Backups, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Backup")));
        builder.Services.AddSingleton(sp => new PrometheusExporter(metrics.Meter));
        builder.Services.AddSingleton(sp => new ConfigReloader(
            sp.GetRequiredService<ControlLoop>(), store, time, options.LoadConfig, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Reload")));
        builder.Services.AddSingleton(sp => sso?.Authenticator(sp) ?? new ApiAuthenticator(new TokenRegistry(options.Tokens)));
        builder.Services.AddSingleton(sp => new ServerState(
            sp.GetRequiredService<ControlLoop>(), store, sp.GetRequiredService<ApiAuthenticator>(), time, options, sp.GetRequiredService<ConfigReloader>(), sp.GetRequiredService<LeaderElection>(), sp.GetRequiredService<DeliveryWriter>(), sp.GetRequiredService<HealthMonitor>(), bootstrap));
        builder.Services.AddSingleton(_ => new DeliveryWriter(store));
        builder.Services.AddHostedService(sp => new ControlPlaneService(
            sp.GetRequiredService<ControlLoop>(), sp.GetRequiredService<LeaderElection>(), store, sp.GetRequiredService<BackupScheduler>(), options, time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Shutdown")));
        if (options.ConfigFile is { } configFile)
        {
            builder.Services.AddHostedService(sp => new ConfigFileWatcher(
                configFile, sp.GetRequiredService<ConfigReloader>(), time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Reload")));
        }

        var app = builder.Build();
        if (telemetry is not null)
        {
            HostingLog.OpenTelemetryExporting(
                app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Telemetry"),
                OpenTelemetryExport.Describe(telemetry.TracesEndpoint),
                OpenTelemetryExport.Describe(telemetry.MetricsEndpoint),
                telemetry.Protocol == OpenTelemetry.Exporter.OtlpExportProtocol.Grpc ? "grpc" : "http/protobuf",
                telemetry.ServiceName);
        }

        if (options.Tls is { } certificate)
        {
            certificate.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Drover.Server.Tls");
        }

        try
        {
            _ = app.Services.GetRequiredService<ControlLoop>();
        }
        catch (InvalidOperationException)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await store.DisposeAsync().ConfigureAwait(false);
            metrics.Dispose();
            throw;
        }

        var state = app.Services.GetRequiredService<ServerState>();
        HealthEndpoints.Map(app, state, app.Services.GetRequiredService<PrometheusExporter>());
        ReadEndpoints.Map(app, state);
        CostEndpoints.Map(app, state);
        HistoryEndpoints.Map(app, state, app.Services.GetRequiredService<FleetHistory>());
        AdminEndpoints.Map(app, state);
        BootstrapEndpoints.Map(app, state);
        WebhookEndpoints.Map(app, state, metrics, options.Catalog.Modules);
        sso?.Map(app);
        DashboardEndpoint.Map(app, options.Demo, signIn: options.Oidc?.DashboardSignIn == true);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            metrics.Dispose();
            store.DisposeAsync().AsTask().GetAwaiter().GetResult();
            identity.Dispose();
        });
        return app;
    }

    /// <summary>An <c>https://</c> address needs a certificate, and a certificate needs an <c>https://</c> address to be served on.</summary>
    private static void CheckTls(ServerOptions options)
    {
        var addresses = options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var https = addresses.Any(a => a.StartsWith("https://", StringComparison.OrdinalIgnoreCase));
        if (https && options.Tls is null)
        {
            throw new TlsCertificateException("--urls has an https:// address; give its certificate with --tls-cert and --tls-key");
        }

        if (!https && options.Tls is not null)
        {
            throw new TlsCertificateException("--tls-cert and --tls-key are given but no --urls address is https://, so nothing would use them");
        }
    }
}
