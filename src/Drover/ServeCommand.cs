using System.CommandLine;
using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Server.Auth;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Microsoft.Extensions.Hosting;

namespace Drover.Cli;

internal static class ServeCommand
{
    private const string DefaultDemoStore = "sqlite:.drover/demo.db";

    private static readonly Option<string> _shutdownTimeout = new("--shutdown-timeout")
    {
        Description = "How long a graceful shutdown (SIGTERM) may take: the leader's drain, releasing the lease, stopping the API",
        DefaultValueFactory = _ => "30s",
    };

    /// <summary>
    /// How long the command line waits, after SIGTERM or Ctrl+C, for <c>serve</c> to stop on its own before ending the
    /// process: its shutdown timeout and 5 s more; null for other commands (the library's default applies).
    /// </summary>
    public static TimeSpan? TerminationTimeout(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.CommandResult.Command.Name != "serve")
        {
            return null;
        }

        return DurationParser.TryParse(parse.GetValue(_shutdownTimeout), out var shutdown) && shutdown > TimeSpan.Zero
            ? shutdown + TimeSpan.FromSeconds(5)
            : null;
    }

    public static Command Create()
    {
        var config = new Option<FileInfo?>("--config", "-c") { Description = "Fleet configuration (YAML); without it the clearly labelled demo runs" };
        var store = new Option<string?>("--store") { Description = "State store: sqlite:PATH or postgres:CONNSTR (default sqlite:.drover/demo.db for the demo, required with --config)" };
        var urls = new Option<string>("--urls") { Description = "Listen addresses", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var tlsCert = new Option<FileInfo?>("--tls-cert") { Description = "PEM certificate (with its chain) served on the https:// addresses of --urls; re-read when the file changes" };
        var tlsKey = new Option<FileInfo?>("--tls-key") { Description = "PEM private key of --tls-cert" };
        var tokens = new Option<string[]>("--api-token") { Description = "API token NAME:ROLE:env:VAR or NAME:ROLE:file:/path (role viewer, operator or admin); repeatable", AllowMultipleArgumentsPerToken = false };
        var sso = SsoFlags.Create();
        var backupDir = new Option<string?>("--backup-dir") { Description = "Directory for scheduled backups (default: 'backups' beside a SQLite store, .drover/backups for PostgreSQL)" };
        var backupEvery = new Option<string>("--backup-every") { Description = "Interval of scheduled backups, e.g. 6h; 0 turns them off", DefaultValueFactory = _ => "6h" };
        var backupKeep = new Option<int>("--backup-keep") { Description = "Scheduled backups kept; older ones are deleted", DefaultValueFactory = _ => 28 };
        var replicaId = new Option<string?>("--replica-id") { Description = "This replica's name in the leader lease (default: POD_NAME, else an id kept in the data directory, stable across restarts); unique per replica" };
        var logFormat = new Option<string>("--log-format") { Description = "Log lines: text (for people) or json (one object per line, for log collectors)", DefaultValueFactory = _ => "text" };
        logFormat.AcceptOnlyFromAmong("text", "json");
        var logLevel = new Option<string>("--log-level") { Description = "Least severe level logged: trace, debug, information, warning, error, critical or none", DefaultValueFactory = _ => "information" };
        logLevel.AcceptOnlyFromAmong([.. LoggingOptions.LevelNames]);
        var shutdownTimeout = _shutdownTimeout;
        var command = new Command("serve", "Run the control plane: leader election, control loop, API, metrics, dashboard and scheduled backups. Without --config: a simulated demo.")
        {
            config, store, urls, tlsCert, tlsKey, tokens, backupDir, backupEvery, backupKeep, replicaId, shutdownTimeout, logFormat, logLevel,
        };
        sso.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var configFile = parse.GetValue(config);
            var demo = configFile is null;
            var location = parse.GetValue(store) ?? (demo ? DefaultDemoStore : null);
            if (location is null)
            {
                error.WriteLine("serve: --store is required with --config (sqlite:PATH or postgres:CONNSTR)");
                return 1;
            }

            OidcOptions? oidc;
            try
            {
                oidc = sso.Read(parse);
            }
            catch (FormatException e)
            {
                error.WriteLine($"serve: {e.Message}");
                return 2;
            }

            string? fresh = null;
            if (demo)
            {
                try
                {
                    fresh = DemoStore.Prepare(location);
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"serve: {e.Message}");
                    return 2;
                }
            }

            List<ApiToken> apiTokens;
            try
            {
                apiTokens = [.. (parse.GetValue(tokens) ?? []).Select(spec => TokenRegistry.FromSpec(spec, Environment.GetEnvironmentVariable))];
            }
            catch (FormatException e)
            {
                error.WriteLine($"serve: {e.Message}");
                return 1;
            }

            var every = TimeSpan.Zero;
            if (parse.GetValue(backupEvery) != "0" && !DurationParser.TryParse(parse.GetValue(backupEvery), out every))
            {
                error.WriteLine($"serve: --backup-every: '{parse.GetValue(backupEvery)}' is not a duration like 30m, 6h or 0");
                return 1;
            }

            if (!DurationParser.TryParse(parse.GetValue(shutdownTimeout), out var shutdown) || shutdown <= TimeSpan.Zero)
            {
                error.WriteLine($"serve: --shutdown-timeout: '{parse.GetValue(shutdownTimeout)}' is not a positive duration like 30s or 2m");
                return 1;
            }

            if (parse.GetValue(backupKeep) < 1)
            {
                error.WriteLine("serve: --backup-keep: must be at least 1");
                return 1;
            }

            var backups = every == TimeSpan.Zero
                ? BackupOptions.Off
                : new BackupOptions { Directory = parse.GetValue(backupDir) ?? DefaultBackupDirectory(location), Interval = every, Keep = parse.GetValue(backupKeep) };
            string? viewer = null;
            string? admin = null;
            if (demo)
            {
                viewer = NewToken();
                admin = NewToken();
                apiTokens.Add(new ApiToken("demo-viewer", ApiRole.Viewer, TokenRegistry.Hash(viewer)));
                apiTokens.Add(new ApiToken("demo-admin", ApiRole.Admin, TokenRegistry.Hash(admin)));
            }

            TlsCertificate? tls = null;
            var (certFile, keyFile) = (parse.GetValue(tlsCert), parse.GetValue(tlsKey));
            if ((certFile is null) != (keyFile is null))
            {
                error.WriteLine("serve: --tls-cert and --tls-key go together: give both or neither");
                return 2;
            }

            if (certFile is not null && keyFile is not null)
            {
                try
                {
                    tls = new TlsCertificate(certFile.FullName, keyFile.FullName);
                }
                catch (TlsCertificateException e)
                {
                    error.WriteLine($"serve: {e.Message}");
                    return 2;
                }
            }

            var loader = new FleetConfigLoader(Adapters.ValidationOptions());
            var options = new ServerOptions
            {
                LoadConfig = demo ? () => loader.LoadFromString(DemoFleet.Yaml(), DemoFleet.FileName) : () => loader.LoadFromFile(configFile!.ToString()),
                ConfigFile = configFile?.FullName,
                StoreLocation = location,
                Urls = parse.GetValue(urls)!,
                Tls = tls,
                Tokens = apiTokens,
                Oidc = oidc,
                Demo = demo,
                // The demo costs its runners every 15 s, so cost shows within the first minute.
                CostInterval = demo ? TimeSpan.FromSeconds(15) : TimeSpan.FromMinutes(1),
                // The demo samples its charts every 5 s, so they draw lines within the first minute.
                HistoryInterval = demo ? TimeSpan.FromSeconds(5) : TimeSpan.FromSeconds(30),
                Backups = backups,
                Catalog = Adapters.Catalog(),
                ShutdownTimeout = shutdown,
                Logging = new LoggingOptions
                {
                    Format = parse.GetValue(logFormat) == "json" ? LogFormat.Json : LogFormat.Text,
                    MinimumLevel = LoggingOptions.TryParseLevel(parse.GetValue(logLevel), out var level) ? level : Microsoft.Extensions.Logging.LogLevel.Information,
                },
            };
            if (parse.GetValue(replicaId) is { } id)
            {
                options = options with { ReplicaId = id };
            }

            try
            {
                await using var app = await DroverServer.BuildAsync(options, TimeProvider.System, ct);
                await app.StartAsync(ct);
                var url = app.Urls.FirstOrDefault() ?? options.Urls;
                if (fresh is not null)
                {
                    output.WriteLine(fresh);
                }

                output.WriteLine(demo ? "DEMO MODE — simulated forges and provider; nothing real is created." : $"serving {configFile}");
                output.WriteLine($"dashboard: {url}/");
                if (demo)
                {
                    output.WriteLine("Demo-only API tokens, generated for this run and shown once:");
                    output.WriteLine($"  viewer: {viewer}");
                    output.WriteLine($"  admin:  {admin}");
                    output.WriteLine($"open {url}/#token={viewer} to watch the pools scale");
                }

                await app.WaitForShutdownAsync(ct);
                return 0;
            }
            catch (Exception e) when (e is AdapterConfigurationException or TlsCertificateException)
            {
                error.WriteLine($"serve: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is InvalidOperationException or StateStoreException or IOException)
            {
                error.WriteLine($"serve: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    /// <summary>Beside a SQLite store file: its folder's <c>backups</c>; for PostgreSQL: <c>.drover/backups</c> under the working directory.</summary>
    private static string DefaultBackupDirectory(string location)
    {
        const string sqlite = "sqlite:";
        if (location.StartsWith(sqlite, StringComparison.OrdinalIgnoreCase))
        {
            var file = Path.GetFullPath(location[sqlite.Length..]);
            return Path.Combine(Path.GetDirectoryName(file) ?? ".", "backups");
        }

        return Path.Combine(".drover", "backups");
    }

    private static string NewToken() => "drover_demo_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
}
