using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.EndToEnd.Tests.Support;
using Drover.Engine.Loop;
using Drover.Forges.GitHub;
using Drover.Forges.GitHub.Webhooks;
using Drover.Testing;
using Drover.Testing.GitHub;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// Poison webhook deliveries against <c>drover serve</c> in-process with the real GitHub forge: 500 correctly signed
/// <c>workflow_job</c> deliveries whose interpretation throws (a receiver that fails on them) and 100 real unreadable
/// payloads (an id that is not a number) are stored first; a valid job sent afterwards must reach the ledger within
/// 2 s, every poison delivery must end quarantined after its attempts, and the loop must not run hot cycles over them.
/// The figures are printed (docs/reliability.md holds them).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class PoisonDeliveryTests(ITestOutputHelper output) : IDisposable
{
    private const int Throwing = 500;
    private const int Unreadable = 100;
    private readonly TempDirectory _directory = new("drover-poison-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_FiveHundredPoisonDeliveries_AValidJobStillReachesTheLedgerWithin2s_AndThePoisonIsQuarantinedWithoutHotCycles()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [GitHubEndToEndTests.Token] });
        PoisonForge? forge = null;
        await using var app = await GitHubEndToEndTests.StartServerAsync(
            emulator, _directory.Path, _ => { }, polling: false, startRunners: false,
            wrap: f => forge = new PoisonForge(f),
            adjust: o => o with { DeliveryRetryDelay = TimeSpan.FromMilliseconds(200) });
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
        await Eventually.ThatAsync(() => http.GetStringAsync("/readyz"), ready => ready.StartsWith("ready: leader", StringComparison.Ordinal), "the server leads (/readyz)");
        var store = app.Services.GetRequiredService<IStateStore>();
        var loop = app.Services.GetRequiredService<ControlLoop>();
        var cycles = 0;
        loop.CycleCompleted += _ => Interlocked.Increment(ref cycles);
        var process = Process.GetCurrentProcess();
        var cpuAtStart = process.TotalProcessorTime;
        var started = Stopwatch.StartNew();

        // The poison, sent in parallel as a forge would: throwing ones by delivery id, unreadable ones by content.
        await Parallel.ForEachAsync(Enumerable.Range(0, Throwing + Unreadable), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, ct) =>
        {
            var id = (2_000_000 + i).ToString(CultureInfo.InvariantCulture);
            var body = i < Throwing ? Payload(id) : Payload("\"not-a-number\"");
            Assert.Equal(202, await PostAsync(http, (i < Throwing ? PoisonForge.Prefix : "unreadable-") + id, body));
        });
        var poisonSent = started.Elapsed;

        // The valid job, after all of them.
        var valid = Stopwatch.StartNew();
        Assert.Equal(202, await PostAsync(http, "valid-1", Payload("4711")));
        await Eventually.ThatAsync<Job?>(() => store.GetJobAsync(new JobKey("github", "4711"), CancellationToken.None), job => job is not null, "the valid job in the ledger", _ => "not yet", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5));
        var toLedger = valid.Elapsed;

        var quarantined = await Eventually.ThatAsync(
            () => store.ListDeliveriesAsync(DeliveryState.Quarantined, 1000, CancellationToken.None),
            q => q.Count == Throwing + Unreadable,
            "every poison delivery quarantined",
            q => $"{q.Count} quarantined",
            TimeSpan.FromSeconds(60),
            TimeSpan.FromMilliseconds(20));
        var allQuarantined = started.Elapsed;
        var cpuToQuarantine = process.TotalProcessorTime - cpuAtStart;
        var cyclesToQuarantine = Volatile.Read(ref cycles);

        // Settled: nothing waits, and the loop runs at its resync pace (1 s here), not hot. (The first seconds after
        // the burst still carry its tail: the console logger writing out its queue, tiered compilation, GC.)
        await Task.Delay(TimeSpan.FromSeconds(5));
        var cyclesBefore = Volatile.Read(ref cycles);
        var cpuBefore = process.TotalProcessorTime;
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleCycles = Volatile.Read(ref cycles) - cyclesBefore;
        var idleCpu = process.TotalProcessorTime - cpuBefore;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Throwing} throwing + {Unreadable} unreadable deliveries sent in {poisonSent.TotalSeconds:F2} s; valid job in the ledger {toLedger.TotalMilliseconds:F0} ms after its 202"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"all {quarantined.Count} quarantined {allQuarantined.TotalSeconds:F2} s after the first was sent; {forge!.Interpreted} interpretations in all; {cyclesToQuarantine} cycles; test process CPU {cpuToQuarantine.TotalSeconds:F2} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"from 5 s to 10 s after, idle: {idleCycles} cycles, {idleCpu.TotalSeconds:F2} CPU-s"));

        Assert.True(toLedger < TimeSpan.FromSeconds(2), $"the valid job took {toLedger.TotalMilliseconds:F0} ms to reach the ledger");
        Assert.Equal(Throwing, quarantined.Count(d => d.Attempts == 5 && d.LastFailure!.StartsWith("attempt 5 of 5 failed: InvalidOperationException", StringComparison.Ordinal)));
        Assert.Equal(Unreadable, quarantined.Count(d => d.Attempts == 1 && d.LastFailure!.StartsWith("unreadable: FormatException: workflow_job.id", StringComparison.Ordinal)));
        Assert.Equal((Throwing * 5) + Unreadable + 1, forge.Interpreted);
        Assert.Empty(await store.ListDeliveriesAsync(DeliveryState.Waiting, 10, CancellationToken.None));
        Assert.InRange(idleCycles, 0, 15);
        var events = await store.ListEventsAsync(new EventQuery { Limit = 10_000 }, CancellationToken.None);
        Assert.Equal(Throwing + Unreadable, events.Count(e => e.Kind == EventKinds.WebhookDeliveryQuarantined));
    }

    private static byte[] Payload(string id) =>
        Encoding.UTF8.GetBytes($$$"""{"action":"queued","workflow_job":{"id":{{{id}}},"run_id":1,"status":"queued","labels":["linux"]},"repository":{"full_name":"acme/api"}}""");

    private static async Task<int> PostAsync(HttpClient http, string deliveryId, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/github/github") { Content = new ByteArrayContent(body) };
        request.Headers.Add("X-GitHub-Event", "workflow_job");
        request.Headers.Add("X-GitHub-Delivery", deliveryId);
        request.Headers.Add(WebhookSignature.Header, WebhookSignature.Sign(GitHubEndToEndTests.Secret, body));
        using var response = await http.SendAsync(request);
        return (int)response.StatusCode;
    }

    /// <summary>The real GitHub forge, except that interpreting a delivery whose id starts with <see cref="Prefix"/> throws.</summary>
    private sealed class PoisonForge(GitHubForge inner) : IForge, IWebhookReceiver, IDemandSource
    {
        public const string Prefix = "poison-";
        private int _interpreted;

        public int Interpreted => Volatile.Read(ref _interpreted);

        public string Name => inner.Name;

        public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken) => inner.MintRunnerCredentialAsync(pool, runnerName, cancellationToken);

        public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken) => inner.ListRunnersAsync(cancellationToken);

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => inner.UnregisterAsync(forgeRunnerId, cancellationToken);

        public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body) => inner.Verify(header, body);

        public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _interpreted);
            return delivery.DeliveryId.StartsWith(Prefix, StringComparison.Ordinal)
                ? throw new InvalidOperationException("the receiver fails on this delivery")
                : inner.InterpretAsync(delivery, cancellationToken);
        }

        public Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken) => inner.RunAsync(sink, cancellationToken);
    }
}
