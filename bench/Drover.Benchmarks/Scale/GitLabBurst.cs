using System.Diagnostics;
using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Runners;
using Drover.Engine.Loop;
using Drover.Forges.GitLab;
using Drover.Server.Hosting;
using Drover.Testing.GitLab;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// The GitLab burst of <c>bench scale</c>: <see cref="BurstOptions.Jobs"/> jobs queued at once in one project of a
/// group, their job hooks sent by the in-process GitLab emulator to a real <c>drover serve</c> host (SQLite, loopback,
/// polling off) whose one group pool takes them all. The emulator enforces GitLab.com's limit on authenticated API
/// traffic (<see cref="BurstOptions.GitLabRequestsPerWindow"/> requests per user and window, every endpoint alike,
/// windows aligned to multiples of their length, <c>RateLimit-*</c> headers, <c>429</c> with <c>Retry-After</c>); the
/// adapter paces to the same figure. Every job costs two counted requests at least: its hook names no tags, so the job
/// is looked up, and its runner is created (<c>POST /user/runners</c>). Measured: when every create call was issued
/// against the fastest the limit allows for the requests Drover made until then, and how many calls GitLab refused.
/// </summary>
internal static class GitLabBurst
{
    private const string Token = "glpat-scale-bench";
    private const string HookToken = "scale-bench-hook";

    public static async Task<BurstResult> RunAsync(BurstOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateTempSubdirectory("drover-burst-gitlab-").FullName;
        try
        {
            await using var emulator = await GitLabEmulator.StartAsync(Token);
            emulator.RequestsPerWindow = options.GitLabRequestsPerWindow;
            emulator.RateLimitWindow = options.Window;
            emulator.PageSize = 100;
            BurstProvider? provider = null;
            var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["BENCH_GITLAB_TOKEN"] = Token, ["BENCH_GITLAB_HOOK"] = HookToken };
            var catalog = new AdapterCatalog()
                .Add(new TestProviderModule("burst", (config, context) => provider = new BurstProvider(config.Name, context.Vault, context.Time, options.Boot, name => Online(emulator, name))))
                .Add(new GitLabModule(GitLabForgeOptions.Default with
                {
                    Environment = environment.GetValueOrDefault,
                    Polling = false,
                    RequestsPerMinute = options.GitLabRequestsPerWindow,
                    RequestWindow = options.Window,
                }));
            var yaml = Invariant($$"""
                controllerId: drover-burst
                forges:
                  - name: gitlab
                    kind: gitlab
                    url: {{emulator.Url}}
                    auth: { token: env:BENCH_GITLAB_TOKEN }
                    webhookSecret: env:BENCH_GITLAB_HOOK
                providers:
                  - { name: burst, type: burst, maxConcurrentCreates: {{options.MaxConcurrentCreates}} }
                pools:
                  - name: linux
                    forge: gitlab
                    scope: { group: acme }
                    tags: [linux]
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

            emulator.HookTarget = new Uri(new Uri(app.Urls.First()), "/webhooks/gitlab/gitlab");
            emulator.HookToken = HookToken;
            var requestsBefore = emulator.ApiRequests.Count;
            var startedAt = DateTimeOffset.UtcNow;
            var start = Stopwatch.GetTimestamp();

            // The hooks are sent as the jobs are queued, a few at a time (GitLab sends them concurrently too).
            var queueing = Parallel.ForEachAsync(
                Enumerable.Range(0, options.Jobs),
                new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
                (_, _) =>
                {
                    emulator.Queue(101, ["linux"], TimeSpan.FromHours(1));
                    return ValueTask.CompletedTask;
                });
            TimeSpan? created = null;
            TimeSpan? ready = null;
            var requestsUntilCreated = 0;
            var lastReport = TimeSpan.Zero;
            while (ready is null && Stopwatch.GetElapsedTime(start) < options.Limit)
            {
                await Task.Delay(50, cancellationToken);
                var creates = provider?.CreatedAt.Count ?? 0;
                if (created is null && creates >= options.Jobs)
                {
                    created = Stopwatch.GetElapsedTime(provider!.CreatedAt.Max(), start) * -1;
                    requestsUntilCreated = emulator.ApiRequests.Count - requestsBefore;
                }

                if (loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle) >= options.Jobs)
                {
                    ready = Stopwatch.GetElapsedTime(start);
                }

                if (Stopwatch.GetElapsedTime(start) - lastReport >= TimeSpan.FromSeconds(10))
                {
                    lastReport = Stopwatch.GetElapsedTime(start);
                    var states = string.Join(", ", loop.Snapshot.Runners.Where(r => r.State != RunnerState.Idle).GroupBy(r => r.State).Select(g => Invariant($"{g.Count()} {g.Key}")));
                    log.WriteLine(Invariant($"  {lastReport.TotalSeconds:0}s: {creates} creates, {loop.Snapshot.Runners.Count(r => r.State == RunnerState.Idle)} idle{(states.Length > 0 ? " (others: " + states + ")" : string.Empty)}, {emulator.RateLimitRefusals.Count} refused, {emulator.ApiRequests.Count - requestsBefore} API requests"));
                }
            }

            await queueing;
            var requests = emulator.ApiRequests;
            var refusals = emulator.RateLimitRefusals;
            await app.StopAsync(cancellationToken);
            var probe = StoreProbe.Sqlite(Path.Combine(directory, "state.db"));
            var events = await probe.CountByAsync("events", "kind");
            var failures = await probe.CountByAsync("runners", "substr(failure_reason, 1, 90)");
            return new BurstResult
            {
                Forge = "gitlab",
                Options = options,
                CreatesIssued = provider?.CreatedAt.Count ?? 0,
                AllCreated = created,
                AllReady = ready,
                Fastest = Fastest(startedAt, requestsUntilCreated, options),
                FastestBasis = Invariant($"{requestsUntilCreated} API requests until the last create at {options.GitLabRequestsPerWindow} per {options.Window.TotalSeconds:0}s window (windows aligned)"),
                Refused = refusals.Count,
                RefusedWithinAnotherWindow = RefusedWithinAnotherWindow(refusals),
                Requests = requests.Skip(requestsBefore).GroupBy(Endpoint, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal),
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

    /// <summary>
    /// The least time from <paramref name="startedAt"/> until the last of <paramref name="requests"/> may be made: the
    /// first (partial) window takes a full budget, every further one another; the last request goes out when the window
    /// it needs begins.
    /// </summary>
    private static TimeSpan Fastest(DateTimeOffset startedAt, int requests, BurstOptions options)
    {
        var windows = (int)Math.Ceiling(requests / (double)options.GitLabRequestsPerWindow) - 1;
        if (windows <= 0)
        {
            return TimeSpan.Zero;
        }

        var ticks = options.Window.Ticks;
        var firstEnd = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((((startedAt - DateTimeOffset.UnixEpoch).Ticks / ticks) + 1) * ticks);
        return firstEnd - startedAt + (options.Window * (windows - 1));
    }

    /// <summary>Refusals that came while an earlier refusal's <c>Retry-After</c> had not passed (GitLab's limit is one per user, whatever the endpoint).</summary>
    private static int RefusedWithinAnotherWindow(IReadOnlyList<(DateTimeOffset At, string Call, TimeSpan RetryAfter)> refusals)
    {
        DateTimeOffset? until = null;
        var within = 0;
        foreach (var (at, _, retryAfter) in refusals.OrderBy(r => r.At))
        {
            if (until is { } end && at < end)
            {
                within++;
                continue;
            }

            until = at + retryAfter;
        }

        return within;
    }

    /// <summary><c>POST /api/v4/user/runners 201</c> with ids left out.</summary>
    private static string Endpoint(string request)
    {
        var parts = request.Split(' ');
        var segments = parts[1].Split('/').Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s);
        return $"{parts[0]} {string.Join('/', segments)} {parts[^1]}";
    }

    private static void Online(GitLabEmulator emulator, string runnerName)
    {
        if (emulator.Runners().FirstOrDefault(r => r.Description == runnerName) is { } runner)
        {
            // The runner keeps asking for jobs (an hour ahead: the emulator calls it online within 5 s of its last contact).
            runner.ContactedAt = DateTimeOffset.UtcNow.AddHours(1);
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
