using System.Diagnostics;
using System.Globalization;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Runners;
using Drover.Engine.Loop;
using Drover.Forges.GitHub;
using Drover.Server.Hosting;
using Drover.Testing.GitHub;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// The GitHub burst of <c>bench scale</c>: <see cref="BurstOptions.Jobs"/> jobs queued at once in one repository, their
/// <c>queued</c> webhooks sent by the in-process GitHub emulator to a real <c>drover serve</c> host (SQLite, loopback)
/// whose one pool takes them all. The emulator enforces GitHub's secondary rate limit (points per endpoint and window,
/// a POST costing 5, <c>429</c> with <c>Retry-After</c>) and the core 5,000 an hour. Measured: when every create call
/// was issued and when every runner was ready (idle in the leader's view), against the fastest the limit allows, and how
/// many calls the forge refused, per <c>Retry-After</c> window.
/// </summary>
internal static class GitHubBurst
{
    private const string Token = "ghp_scale_bench";
    private const string Secret = "scale-bench-secret";

    public static async Task<BurstResult> RunAsync(BurstOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("drover-burst-").FullName;
        try
        {
            await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions
            {
                Tokens = [Token],
                SecondaryPointsPerWindow = options.PointsPerWindow,
                SecondaryWindow = options.Window,
            });
            BurstProvider? provider = null;
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["BENCH_GITHUB_TOKEN"] = Token, ["BENCH_GITHUB_SECRET"] = Secret };
            var catalog = new AdapterCatalog()
                .Add(new TestProviderModule("burst", (config, context) => provider = new BurstProvider(config.Name, context.Vault, context.Time, options.Boot, name => Online(emulator, name))))
                .Add(new GitHubModule(GitHubForgeOptions.Default with { Environment = n => environment.GetValueOrDefault(n), Polling = false, SecondaryPointsPerWindow = options.PointsPerWindow, SecondaryWindow = options.Window }));
            var yaml = Invariant($$"""
                controllerId: drover-burst
                forges:
                  - name: github
                    kind: github
                    url: {{emulator.ApiUrl}}
                    auth: { token: env:BENCH_GITHUB_TOKEN }
                    webhookSecret: env:BENCH_GITHUB_SECRET
                providers:
                  - { name: burst, type: burst, maxConcurrentCreates: {{options.MaxConcurrentCreates}} }
                pools:
                  - name: linux
                    forge: github
                    scope: { repo: acme/api }
                    labels: [linux]
                    provider: burst
                    max: {{options.Jobs}}
                    idleTimeout: 30m
                    policy: reactive
                """);
            var loader = new FleetConfigLoader(catalog.ValidationOptions(Core.Policies.PolicyRegistry.CreateDefault().Policies));
            await using var app = await DroverServer.BuildAsync(
                new ServerOptions
                {
                    LoadConfig = () => loader.LoadFromString(yaml, "burst.yaml"),
                    StoreLocation = "sqlite:" + Path.Combine(directory, "state.db"),
                    Urls = "http://127.0.0.1:0",
                    Catalog = catalog,
                    Logging = new LoggingOptions { MinimumLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
                },
                cancellationToken: cancellationToken);
            await app.StartAsync(cancellationToken);
            var loop = app.Services.GetRequiredService<ControlLoop>();
            while (loop.Snapshot.Cycles == 0)
            {
                await Task.Delay(100, cancellationToken);
            }

            emulator.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
            emulator.Webhooks.Secret = Secret;
            var start = Stopwatch.GetTimestamp();
            emulator.QueueRun("acme/api", [.. Enumerable.Range(0, options.Jobs).Select(i => ($"job-{i}", new[] { "self-hosted", "linux" }, TimeSpan.FromHours(1)))]);
            TimeSpan? created = null;
            TimeSpan? ready = null;
            var lastReport = TimeSpan.Zero;
            while (ready is null && Stopwatch.GetElapsedTime(start) < options.Limit)
            {
                await Task.Delay(50, cancellationToken);
                var creates = provider?.CreatedAt.Count ?? 0;
                if (created is null && creates >= options.Jobs)
                {
                    created = Stopwatch.GetElapsedTime(provider!.CreatedAt.Max(), start) * -1;
                }

                if (loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle) >= options.Jobs)
                {
                    ready = Stopwatch.GetElapsedTime(start);
                }

                if (Stopwatch.GetElapsedTime(start) - lastReport >= TimeSpan.FromSeconds(10))
                {
                    lastReport = Stopwatch.GetElapsedTime(start);
                    log.WriteLine(Invariant($"  {lastReport.TotalSeconds:0}s: {creates} creates, {loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle)} idle, {emulator.SecondaryRefusals.Count} refused"));
                }
            }

            var requests = emulator.Requests;
            var refusals = emulator.SecondaryRefusals;
            await app.StopAsync(cancellationToken);
            var probe = StoreProbe.Sqlite(Path.Combine(directory, "state.db"));
            var events = await probe.CountByAsync("events", "kind");
            var failures = await probe.CountByAsync("runners", "substr(failure_reason, 1, 90)");
            var perWindow = options.PointsPerWindow / 5;
            return new BurstResult
            {
                Forge = "github",
                Options = options,
                CreatesIssued = provider?.CreatedAt.Count ?? 0,
                AllCreated = created,
                AllReady = ready,
                Fastest = options.Window * (Math.Ceiling(options.Jobs / (double)perWindow) - 1),
                Refused = refusals.Count,
                RefusedWithinAnotherWindow = RefusedWithinAnotherWindow(refusals),
                Requests = requests.GroupBy(Endpoint, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
                Events = events,
                RunnerFailures = failures,
            };
        }
        finally
        {
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may still be closing.
            }
        }
    }

    /// <summary>Refusals that came while an earlier refusal's <c>Retry-After</c> on the same endpoint had not passed: calls that did not wait.</summary>
    private static int RefusedWithinAnotherWindow(IReadOnlyList<(DateTimeOffset At, string Endpoint, TimeSpan RetryAfter)> refusals)
    {
        var until = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var within = 0;
        foreach (var (at, endpoint, retryAfter) in refusals.OrderBy(r => r.At))
        {
            if (until.TryGetValue(endpoint, out var end) && at < end)
            {
                within++;
                continue;
            }

            until[endpoint] = at + retryAfter;
        }

        return within;
    }

    /// <summary><c>POST /repos/{o}/{r}/actions/runners/generate-jitconfig 201</c> with ids and query left out.</summary>
    private static string Endpoint(string request)
    {
        var parts = request.Split(' ');
        var path = parts[1].Split('?')[0];
        var segments = path.Split('/').Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s);
        return $"{parts[0]} {string.Join('/', segments)} {parts[^1]}";
    }

    private static void Online(GitHubEmulator emulator, string runnerName)
    {
        if (emulator.Runners().FirstOrDefault(r => r.Name == runnerName) is { } runner)
        {
            runner.Online = true;
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
