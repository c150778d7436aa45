using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.EndToEnd.Tests.Support;
using Drover.Forges.GitHub;
using Drover.Forges.GitHub.Webhooks;
using Drover.Testing;
using Drover.Testing.GitHub;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// How long Drover takes from a verified <c>queued</c> webhook to the provider's create call, in-process: the delivery
/// is stored, the leader's loop wakes, interprets it, plans, writes the intent, mints the JIT config at the emulator
/// (one REST round trip) and calls the provider. One job at a time, each waiting for its create; enough warm-up jobs for
/// the code on the path to be past tiered re-compilation, as in a server that has been running. Figures are printed;
/// the assertion only catches gross regressions (docs/BENCHMARKS.md holds the measured figures).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class WebhookLatencyTests(ITestOutputHelper output) : IDisposable
{
    private const int Warmup = 200;
    private const int Measured = 200;
    private readonly TempDirectory _directory = new("drover-latency-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task VerifiedQueuedWebhook_ToProviderCreate_Latency()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubEndToEndTests.Token] });
        StandInProvider? provider = null;
        TimedForge? forge = null;
        var verified = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        await using var app = await GitHubEndToEndTests.StartServerAsync(emulator, _directory.Path, p => provider = p, polling: false, startRunners: false, max: Warmup + Measured + 10, wrap: f => forge = new TimedForge(f, verified),
            // 400 mints in about a minute: past GitHub's secondary limit (180 JIT configs a minute), which the adapter
            // paces to by default; this emulator enforces none, and the test measures the path, not the limit.
            forgeOptions: o => o with { SecondaryPointsPerWindow = 100_000 });
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await Eventually.ThatAsync(() => http.GetStringAsync("/readyz"), ready => ready.StartsWith("ready: leader", StringComparison.Ordinal), "the server leads (/readyz)");

        var latencies = new List<double>();
        for (var i = 0; i < Warmup + Measured; i++)
        {
            var id = (1_000_000 + i).ToString(CultureInfo.InvariantCulture);
            var body = Encoding.UTF8.GetBytes($$$"""{"action":"queued","workflow_job":{"id":{{{id}}},"run_id":{{{id}}},"status":"queued","labels":["linux"],"created_at":"{{{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ}}}"},"repository":{"full_name":"acme/api"}}""");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github/github") { Content = new ByteArrayContent(body) };
            request.Headers.Add("X-GitHub-Event", "workflow_job");
            request.Headers.Add("X-GitHub-Delivery", "latency-" + id);
            request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(GitHubEndToEndTests.Secret, body));
            using var response = await http.SendAsync(request);
            Assert.Equal(202, (int)response.StatusCode);

            // Polled every millisecond only for pacing: the latency is taken from the timestamps the forge and the provider recorded.
            await Eventually.ThatAsync(() => provider!.CreatedAt.Count, creates => creates > i, $"the provider's create for job {i}", creates => $"{creates} creates", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(1));

            if (i >= Warmup)
            {
                var created = provider!.CreatedAt[i].Timestamp;
                latencies.Add(Stopwatch.GetElapsedTime(verified[id], created).TotalMilliseconds);
            }
        }

        latencies.Sort();
        double P(double q) => latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(q * latencies.Count) - 1)];
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verified webhook -> provider create, {latencies.Count} jobs: p50 {P(0.50):F2} ms, p90 {P(0.90):F2} ms, p99 {P(0.99):F2} ms, max {latencies[^1]:F2} ms"));
        var mints = forge!.MintMilliseconds.Skip(Warmup).Order().ToList();
        var lists = forge.ListMilliseconds.Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"of which JIT config (REST round trip): median {mints[mints.Count / 2]:F2} ms; runner list per cycle (conditional GET): median {lists[lists.Count / 2]:F2} ms"));
        Assert.True(P(0.99) < 1000, $"p99 {P(0.99):F1} ms");
    }

    /// <summary>Notes when each delivery passed verification (by job id), then lets the real forge do the rest.</summary>
    private sealed class TimedForge(GitHubForge inner, ConcurrentDictionary<string, long> verified) : IForge, IWebhookReceiver, IDemandSource
    {
        public string Name => inner.Name;

        public ConcurrentQueue<double> MintMilliseconds { get; } = new();

        public ConcurrentQueue<double> ListMilliseconds { get; } = new();

        public async Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            var credential = await inner.MintRunnerCredentialAsync(pool, runnerName, cancellationToken);
            MintMilliseconds.Enqueue(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return credential;
        }

        public async Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            var runners = await inner.ListRunnersAsync(cancellationToken);
            ListMilliseconds.Enqueue(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            return runners;
        }

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => inner.UnregisterAsync(forgeRunnerId, cancellationToken);

        public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body)
        {
            var verdict = inner.Verify(header, body);
            if (verdict.IsAccepted && WorkflowJobReader.ReadWebhook(null, body, Name, null, DateTimeOffset.UnixEpoch) is { } e)
            {
                verified.TryAdd(e.Key.Id, Stopwatch.GetTimestamp());
            }

            return verdict;
        }

        public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken) => inner.InterpretAsync(delivery, cancellationToken);

        public Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken) => inner.RunAsync(sink, cancellationToken);
    }
}
