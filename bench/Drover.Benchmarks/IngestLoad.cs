using System.Diagnostics;
using System.Net;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Forges.GitHub;
using Drover.Server.Hosting;
using Drover.Simulation.Demo;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Drover.Benchmarks;

/// <summary>
/// A bounded load generator for webhook ingest: starts <c>drover serve</c> in-process on 127.0.0.1 with the demo fleet
/// on a fresh SQLite store, then posts signed-shape <c>workflow_job</c> deliveries with unique ids from N keep-alive
/// connections until the duration or the request cap is reached, recording each request's latency. At the end it
/// checks that the store holds every accepted delivery. Loopback only; stops by itself.
/// </summary>
public static class IngestLoad
{
    /// <summary>A small workflow_job payload of GitHub's shape, used when ../shared's fixtures are absent.</summary>
    private const string BuiltInPayload =
        """{"action":"queued","workflow_job":{"id":1,"run_id":2,"status":"queued","labels":["self-hosted","linux"],"runner_id":null,"runner_name":null,"created_at":"2026-11-23T12:00:00Z","started_at":"2026-11-23T12:00:00Z"},"repository":{"full_name":"example/app"},"organization":{"login":"example"}}""";

    /// <summary>Runs the load and returns what it measured.</summary>
    public static async Task<IngestResult> RunAsync(IngestOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Directory.CreateTempSubdirectory("drover-ingest-").FullName;
        try
        {
            // As in drover serve: the demo world builds its forges; the GitHub module says how GitHub webhooks arrive.
            var catalog = new AdapterCatalog().Add(new SimulatedModule()).Add(new GitHubModule());
            var loader = new FleetConfigLoader(catalog.ValidationOptions(Core.Policies.PolicyRegistry.CreateDefault().Policies));
            var server = new ServerOptions
            {
                LoadConfig = () => loader.LoadFromString(DemoFleet.Yaml(), DemoFleet.FileName),
                StoreLocation = "sqlite:" + Path.Combine(directory, "state.db"),
                Urls = "http://127.0.0.1:0",
                Demo = true,
                Catalog = catalog,
            };
            await using var app = await DroverServer.BuildAsync(server, cancellationToken: cancellationToken);
            await app.StartAsync(cancellationToken);
            var result = await DriveAsync(new Uri(app.Urls.First()), Payload(), options, cancellationToken);
            var store = app.Services.GetRequiredService<IStateStore>();
            var stored = 0L;
            foreach (var id in result.AcceptedIds)
            {
                if (await store.GetDeliveryAsync("github", id, cancellationToken) is not null)
                {
                    stored++;
                }
            }

            await app.StopAsync(cancellationToken);
            return result.Summary with { Stored = stored };
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

    private static async Task<(IngestResult Summary, List<string> AcceptedIds)> DriveAsync(Uri baseAddress, byte[] payload, IngestOptions options, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var sent = 0L;
        var workers = new Worker[options.Concurrency];
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, options.Concurrency).Select(i => Task.Run(async () =>
        {
            var worker = workers[i] = new Worker();
            while (clock.Elapsed < options.Duration && !cancellationToken.IsCancellationRequested)
            {
                var n = Interlocked.Increment(ref sent);
                if (n > options.MaxRequests)
                {
                    break;
                }

                var id = $"bench-{n}";
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github/github") { Content = new ByteArrayContent(payload) };
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
                request.Headers.Add("X-GitHub-Event", "workflow_job");
                request.Headers.Add("X-GitHub-Delivery", id);
                var started = Stopwatch.GetTimestamp();
                int status;
                try
                {
                    using var response = await client.SendAsync(request, cancellationToken);
                    status = (int)response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    status = 0;
                }

                worker.Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                worker.ByStatus[status] = worker.ByStatus.GetValueOrDefault(status) + 1;
                if (status == (int)HttpStatusCode.Accepted)
                {
                    worker.Accepted.Add(id);
                }
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll(tasks);
        var elapsed = clock.Elapsed;
        var latencies = workers.SelectMany(w => w.Latencies).ToArray();
        Array.Sort(latencies);
        var byStatus = new SortedDictionary<int, long>();
        foreach (var (status, count) in workers.SelectMany(w => w.ByStatus))
        {
            byStatus[status] = byStatus.GetValueOrDefault(status) + count;
        }

        var accepted = workers.SelectMany(w => w.Accepted).ToList();
        var summary = new IngestResult
        {
            Requests = latencies.Length,
            Accepted = accepted.Count,
            ByStatus = byStatus,
            Elapsed = elapsed,
            P50Ms = Quantile(latencies, 0.50),
            P95Ms = Quantile(latencies, 0.95),
            P99Ms = Quantile(latencies, 0.99),
            MaxMs = latencies.Length == 0 ? 0 : latencies[^1],
        };
        return (summary, accepted);
    }

    private static double Quantile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>A real queued workflow_job payload from ../shared's fixtures when present, else a built-in one of the same shape.</summary>
    private static byte[] Payload() =>
        SharedTraces.FindShared(Path.Combine("data", "fixtures", "github", "workflow_job", "queued.payload.json")) is { } fixture
            ? File.ReadAllBytes(fixture)
            : Encoding.UTF8.GetBytes(BuiltInPayload);

    private sealed class Worker
    {
        public List<double> Latencies { get; } = new(100_000);

        public Dictionary<int, long> ByStatus { get; } = [];

        public List<string> Accepted { get; } = [];
    }
}
