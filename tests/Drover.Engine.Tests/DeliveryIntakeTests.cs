using System.Diagnostics.Metrics;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Core.Planning;
using Drover.Core.Ports;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Engine.Tests.Fakes;

namespace Drover.Engine.Tests;

/// <summary>
/// Poison webhook deliveries: one that cannot be read is quarantined at once, one whose interpretation keeps failing is
/// tried again after growing delays and then quarantined, and neither holds back the deliveries behind it.
/// </summary>
public sealed class DeliveryIntakeTests
{
    private static readonly CancellationToken _none = CancellationToken.None;

    [Fact]
    public async Task Cycle_DeliveryThatKeepsFailing_IsRetriedAfterGrowingDelaysThenQuarantinedWithAnEvent()
    {
        ReceivingForge? forge = null;
        await using var h = await LoopHarness.CreateAsync(wrapForge: f => forge = new ReceivingForge(f));
        using var quarantined = new CounterReader(h.Metrics, "drover_webhook_deliveries_quarantined_total");
        var t0 = h.Time.GetUtcNow();
        await StoreAsync(h, "poison-1", "throw", t0);

        var tries = new List<TimeSpan>();
        for (var second = 0; second <= 120; second++)
        {
            var before = forge!.Interpreted;
            await h.Loop.RunCycleAsync(_none);
            if (forge.Interpreted > before)
            {
                tries.Add(h.Time.GetUtcNow() - t0);
            }

            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        // 5 attempts (the default), 5 s after the first doubling each time; then never again.
        Assert.Equal([0, 5, 15, 35, 75], tries.Select(t => (int)t.TotalSeconds));
        var stored = await h.Store.GetDeliveryAsync("github", "poison-1", _none);
        Assert.NotNull(stored!.QuarantinedAt);
        Assert.Null(stored.ProcessedAt);
        Assert.Equal(5, stored.Attempts);
        Assert.Equal("attempt 5 of 5 failed: InvalidOperationException: the fake receiver fails on this payload", stored.LastFailure);
        var e = Assert.Single(await h.Store.ListEventsAsync(new EventQuery(), _none), e => e.Kind == EventKinds.WebhookDeliveryQuarantined);
        Assert.Equal(("engine", "github/poison-1", stored.LastFailure), (e.Actor, e.Subject, e.Message));
        Assert.Equal("""{"forge":"github","deliveryId":"poison-1","attempts":5}""", e.DataJson);
        Assert.Equal([("github", "attempts", 1L)], quarantined.Totals());
        Assert.Equal(["github/poison-1"], (await h.Store.ListDeliveriesAsync(DeliveryState.Quarantined, 10, _none)).Select(d => $"{d.Forge}/{d.DeliveryId}"));
    }

    [Fact]
    public async Task Cycle_UnreadableDelivery_IsQuarantinedAtOnceWithTheReason_NotMarkedProcessed()
    {
        ReceivingForge? forge = null;
        await using var h = await LoopHarness.CreateAsync(wrapForge: f => forge = new ReceivingForge(f));
        using var quarantined = new CounterReader(h.Metrics, "drover_webhook_deliveries_quarantined_total");
        await StoreAsync(h, "unreadable-1", "unreadable", h.Time.GetUtcNow());

        await h.Loop.RunCycleAsync(_none);
        h.Time.Advance(TimeSpan.FromHours(1));
        await h.Loop.RunCycleAsync(_none);

        Assert.Equal(1, forge!.Interpreted);
        var stored = await h.Store.GetDeliveryAsync("github", "unreadable-1", _none);
        Assert.Null(stored!.ProcessedAt);
        Assert.NotNull(stored.QuarantinedAt);
        Assert.Equal((1, "unreadable: FormatException: workflow_job.id: missing or not an integer"), (stored.Attempts, stored.LastFailure));
        Assert.Single(await h.Store.ListEventsAsync(new EventQuery(), _none), e => e.Kind == EventKinds.WebhookDeliveryQuarantined);
        Assert.Equal([("github", "unreadable", 1L)], quarantined.Totals());
    }

    [Fact]
    public async Task Cycle_FiveHundredPoisonDeliveriesAhead_AValidJobStillReachesTheLedgerAtOnce_AndThePoisonIsQuarantined()
    {
        ReceivingForge? forge = null;
        await using var h = await LoopHarness.CreateAsync(wrapForge: f => forge = new ReceivingForge(f));
        var t0 = h.Time.GetUtcNow();
        const int Throwing = DeliveryIntake.BatchSize, Unreadable = 50;
        for (var i = 0; i < Throwing + Unreadable; i++)
        {
            // A full batch that fails while being interpreted, then unreadable ones: all received before the valid one.
            await StoreAsync(h, $"poison-{i:D3}", i < Throwing ? "throw" : "unreadable", t0.AddMilliseconds(-1000 + i));
        }

        await StoreAsync(h, "valid-1", "job:4711", t0);

        // A full batch asks for the next cycle at once (as the running loop does); that one already takes the valid job.
        var job = new JobKey("github", "4711");
        var cycles = 0;
        while (await h.Store.GetJobAsync(job, _none) is null && cycles < 10)
        {
            await h.Loop.RunCycleAsync(_none);
            cycles++;
        }

        Assert.Equal(2, cycles);
        Assert.Equal(JobState.Queued, (await h.Store.GetJobAsync(job, _none))?.State);
        Assert.Equal(Throwing + Unreadable + 1, forge!.Interpreted);

        // The running loop a cycle a second: no cycle re-reads a delivery waiting out its delay, and every one ends quarantined.
        for (var second = 0; second <= 120; second++)
        {
            h.Time.Advance(TimeSpan.FromSeconds(1));
            await h.Loop.RunCycleAsync(_none);
        }

        Assert.Equal(Throwing + Unreadable, (await h.Store.ListDeliveriesAsync(DeliveryState.Quarantined, 1000, _none)).Count);
        Assert.Empty(await h.Store.ListDeliveriesAsync(DeliveryState.Waiting, 1000, _none));
        Assert.Equal((Throwing * 5) + Unreadable + 1, forge.Interpreted);
    }

    [Fact]
    public async Task Cycle_DeliveryFailingOnlyForAForgeOutage_IsKeptPastItsAttempts_AndQuarantinedOnlyAfterTheOutageLimit()
    {
        ReceivingForge? forge = null;
        await using var h = await LoopHarness.CreateAsync(wrapForge: f => forge = new ReceivingForge(f));
        var t0 = h.Time.GetUtcNow();
        await StoreAsync(h, "outage-1", "outage", t0);

        // An hour of a forge answering 503: far more than 5 attempts, none quarantines it.
        for (var minute = 0; minute < 60; minute++)
        {
            await h.Loop.RunCycleAsync(_none);
            h.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var stored = await h.Store.GetDeliveryAsync("github", "outage-1", _none);
        Assert.Null(stored!.QuarantinedAt);
        Assert.InRange(stored.Attempts, 12, 20);

        // Still failing a day later: quarantined then, with the last reason.
        h.Time.Advance(DeliveryIntake.OutageLimit);
        for (var i = 0; i < 3; i++)
        {
            await h.Loop.RunCycleAsync(_none);
            h.Time.Advance(DeliveryIntake.MaxRetryDelay);
        }

        stored = await h.Store.GetDeliveryAsync("github", "outage-1", _none);
        Assert.NotNull(stored!.QuarantinedAt);
        Assert.Contains("HttpRequestException", stored.LastFailure, StringComparison.Ordinal);
        Assert.True(forge!.Interpreted > 5);
    }

    [Fact]
    public void RetryDelay_DoublesFromTheFirstUpToFiveMinutes()
    {
        var first = TimeSpan.FromSeconds(5);
        Assert.Equal([5, 10, 20, 40, 80, 160, 300, 300], Enumerable.Range(1, 8).Select(n => (int)DeliveryIntake.RetryDelay(first, n).TotalSeconds));
        Assert.Equal(TimeSpan.FromMinutes(5), DeliveryIntake.RetryDelay(first, int.MaxValue));
    }

    [Fact]
    public async Task Cycle_AttemptsAndDelayFromTheOptions()
    {
        ReceivingForge? forge = null;
        await using var h = await LoopHarness.CreateAsync(
            wrapForge: f => forge = new ReceivingForge(f),
            options: o => o with { DeliveryAttempts = 2, DeliveryRetryDelay = TimeSpan.FromMilliseconds(100) });
        await StoreAsync(h, "poison-1", "throw", h.Time.GetUtcNow());

        await h.Loop.RunCycleAsync(_none);
        h.Time.Advance(TimeSpan.FromMilliseconds(99));
        await h.Loop.RunCycleAsync(_none);
        Assert.Equal(1, forge!.Interpreted);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await h.Loop.RunCycleAsync(_none);

        Assert.Equal(2, forge.Interpreted);
        Assert.NotNull((await h.Store.GetDeliveryAsync("github", "poison-1", _none))!.QuarantinedAt);
        Assert.Throws<ArgumentOutOfRangeException>(() => new ControlLoopOptions { DeliveryAttempts = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ControlLoopOptions { DeliveryRetryDelay = TimeSpan.Zero });
    }

    private static Task<bool> StoreAsync(LoopHarness h, string id, string body, DateTimeOffset receivedAt) =>
        h.Store.InTransactionAsync(
            (w, ct) => w.TryInsertDeliveryAsync(
                new WebhookDelivery { Forge = "github", DeliveryId = id, ReceivedAt = receivedAt, HeadersJson = "{}", Body = Encoding.UTF8.GetBytes(body) }, ct),
            _none);

    /// <summary>
    /// The fake forge taking webhooks of a tiny language: <c>job:ID</c> queues a linux job, <c>unreadable</c> is a
    /// payload the reader refuses, <c>outage</c> fails as a forge call answering 503 would, <c>throw</c> fails otherwise.
    /// </summary>
    private sealed class ReceivingForge(FakeForge inner) : IForge, IWebhookReceiver
    {
        private int _interpreted;

        public int Interpreted => Volatile.Read(ref _interpreted);

        public string Name => inner.Name;

        public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken) => inner.MintRunnerCredentialAsync(pool, runnerName, cancellationToken);

        public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken) => inner.ListRunnersAsync(cancellationToken);

        public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken) => inner.UnregisterAsync(forgeRunnerId, cancellationToken);

        public WebhookVerdict Verify(Func<string, string?> header, ReadOnlySpan<byte> body) => WebhookVerdict.Accepted;

        public Task<IReadOnlyList<JobEvent>> InterpretAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _interpreted);
            var body = Encoding.UTF8.GetString(delivery.Body.Span);
            return body switch
            {
                "throw" => throw new InvalidOperationException("the fake receiver fails on this payload"),
                "unreadable" => throw new FormatException("workflow_job.id: missing or not an integer"),
                "outage" => throw new HttpRequestException("the forge answered 503", null, System.Net.HttpStatusCode.ServiceUnavailable),
                _ => Task.FromResult<IReadOnlyList<JobEvent>>(
                [
                    new JobEvent
                    {
                        Key = new JobKey(Name, body["job:".Length..]),
                        Kind = JobEventKind.Queued,
                        At = delivery.ReceivedAt,
                        Labels = ["linux"],
                        Scope = "acme/app",
                        DeliveryId = delivery.DeliveryId,
                    },
                ]),
            };
        }
    }

    /// <summary>Sums a counter of the harness's meter by its forge and reason labels.</summary>
    private sealed class CounterReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<(string, string), long> _totals = [];

        public CounterReader(EngineMetrics metrics, string name)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == metrics.Meter && instrument.Name == name)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                string? forge = null, reason = null;
                foreach (var tag in tags)
                {
                    forge = tag.Key == "forge" ? tag.Value as string : forge;
                    reason = tag.Key == "reason" ? tag.Value as string : reason;
                }

                lock (_totals)
                {
                    _totals[(forge ?? "", reason ?? "")] = _totals.GetValueOrDefault((forge ?? "", reason ?? "")) + value;
                }
            });
            _listener.Start();
        }

        public IReadOnlyList<(string Forge, string Reason, long Total)> Totals()
        {
            lock (_totals)
            {
                return [.. _totals.OrderBy(t => t.Key).Select(t => (t.Key.Item1, t.Key.Item2, t.Value))];
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
