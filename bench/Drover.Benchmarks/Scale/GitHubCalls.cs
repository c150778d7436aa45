using System.Globalization;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Engine.Loop;
using Drover.Forges.GitHub;
using Drover.Server.Hosting;
using Drover.Testing.GitHub;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// GitHub API calls in steady state for an organisation of <c>repositories</c> repositories: a real <c>drover serve</c>
/// host (SQLite, loopback) with one organisation pool, its jobs arriving at <c>jobsPerHour</c> (Poisson, random
/// repositories) as webhooks or found by polling only, runners brought online 2 s after their create. Every request the
/// emulator answers during a slice of <c>seconds</c> is counted per endpoint and status and multiplied by
/// 3,600 / <c>seconds</c>: the slice runs at the hour's own job rate, so both the periodic calls (runner lists, polls)
/// and the per-job calls (JIT configs, job look-ups) extrapolate linearly. Jobs never finish in the slice, so the calls
/// that follow a job's end (registration clean-up) are not in the figure.
/// </summary>
internal static class GitHubCalls
{
    private const string Token = "ghp_scale_bench";
    private const string Secret = "scale-bench-secret";

    public static async Task<string> RunAsync(int repositories, double jobsPerHour, TimeSpan slice, bool webhooks, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("drover-calls-").FullName;
        try
        {
            await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], SecondaryPointsPerWindow = 900 });
            var names = Enumerable.Range(0, repositories).Select(i => "acme/r" + i.ToString("D3", CultureInfo.InvariantCulture)).ToArray();
            foreach (var name in names)
            {
                emulator.AddRepository(name);
            }

            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["BENCH_GITHUB_TOKEN"] = Token, ["BENCH_GITHUB_SECRET"] = Secret };
            var catalog = new AdapterCatalog()
                .Add(new TestProviderModule("burst", (config, context) => new BurstProvider(config.Name, context.Vault, context.Time, TimeSpan.FromSeconds(2), name => Online(emulator, name))))
                .Add(new GitHubModule(GitHubForgeOptions.Default with { Environment = n => environment.GetValueOrDefault(n), Polling = !webhooks }));
            var yaml = string.Create(CultureInfo.InvariantCulture, $$"""
                controllerId: drover-calls
                forges:
                  - name: github
                    kind: github
                    url: {{emulator.ApiUrl}}
                    auth: { token: env:BENCH_GITHUB_TOKEN }
                    {{(webhooks ? "webhookSecret: env:BENCH_GITHUB_SECRET" : string.Empty)}}
                providers:
                  - { name: burst, type: burst }
                pools:
                  - name: linux
                    forge: github
                    scope: { org: acme }
                    labels: [linux]
                    provider: burst
                    max: 1000
                    idleTimeout: 30m
                    policy: reactive
                """);
            var loader = new FleetConfigLoader(catalog.ValidationOptions(Core.Policies.PolicyRegistry.CreateDefault().Policies));
            await using var app = await DroverServer.BuildAsync(
                new ServerOptions
                {
                    LoadConfig = () => loader.LoadFromString(yaml, "calls.yaml"),
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

            if (webhooks)
            {
                emulator.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
                emulator.Webhooks.Secret = Secret;
            }

            var before = emulator.Requests.Count;
            var random = new Random(1);
            var queued = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var next = TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * 3600 / jobsPerHour);
            while (clock.Elapsed < slice)
            {
                if (clock.Elapsed >= next)
                {
                    emulator.QueueRun(names[random.Next(names.Length)], ($"job-{queued++}", ["self-hosted", "linux"], TimeSpan.FromHours(1)));
                    next += TimeSpan.FromSeconds(-Math.Log(1 - random.NextDouble()) * 3600 / jobsPerHour);
                    continue;
                }

                await Task.Delay(50, cancellationToken);
            }

            var elapsed = clock.Elapsed;
            var requests = emulator.Requests.Skip(before).ToList();
            var created = loop.Snapshot.Runners.Count;
            await app.StopAsync(cancellationToken);
            var perHour = 3600 / elapsed.TotalSeconds;
            var text = new StringBuilder();
            var c = CultureInfo.InvariantCulture;
            var counted = requests.Count(r => !r.EndsWith(" 304", StringComparison.Ordinal));
            text.AppendLine(c, $"calls [github, {(webhooks ? "webhooks" : "polling only")}] {repositories} repositories, {jobsPerHour:0} jobs/h: {queued} jobs in {elapsed.TotalSeconds:0}s, {created} runners at the end");
            text.AppendLine(c, $"  {requests.Count} requests in the slice => {requests.Count * perHour:0}/h; not counting 304 (conditional, free at GitHub): {counted * perHour:0}/h = {counted * perHour / 5000:P1} of 5,000/h");
            foreach (var group in requests.GroupBy(Endpoint, StringComparer.Ordinal).OrderByDescending(g => g.Count()))
            {
                text.AppendLine(c, $"    {group.Count(),6} ({group.Count() * perHour,7:0}/h) {group.Key}");
            }

            return text.ToString();
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

    private static string Endpoint(string request)
    {
        var parts = request.Split(' ');
        var path = parts[1].Split('?')[0];
        var segments = path.Split('/').Select(s => s.Length > 0 && (s.All(char.IsAsciiDigit) || (s.Length == 4 && s[0] == 'r' && s[1..].All(char.IsAsciiDigit))) ? "{id}" : s);
        return $"{parts[0]} {string.Join('/', segments)} {parts[^1]}";
    }

    private static void Online(GitHubEmulator emulator, string runnerName)
    {
        if (emulator.Runners().FirstOrDefault(r => r.Name == runnerName) is { } runner)
        {
            runner.Online = true;
        }
    }
}
