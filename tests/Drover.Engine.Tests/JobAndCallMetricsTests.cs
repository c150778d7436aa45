using System.Diagnostics.Metrics;
using Drover.Core.Adapters;
using Drover.Core.Demand;
using Drover.Engine.Metrics;

namespace Drover.Engine.Tests;

/// <summary>The per-pool job counters and histograms, and the provider and forge call errors by operation and reason.</summary>
public sealed class JobAndCallMetricsTests
{
    [Fact]
    public async Task JobLifecycle_CountedPerPool_WaitAndDurationRecordedWithThePool()
    {
        await using var harness = await LoopHarness.CreateAsync();
        using var recorded = new Recorder(harness.Metrics);
        var ran = harness.Queue();
        var cancelled = harness.Queue();
        var unmatched = harness.Queue("windows");
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        harness.Time.Advance(TimeSpan.FromSeconds(42));
        harness.Loop.Ingest(new JobEvent { Key = ran, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = "r1" });
        harness.Loop.Ingest(new JobEvent { Key = cancelled, Kind = JobEventKind.Cancelled, At = harness.Time.GetUtcNow() });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(90));
        harness.Loop.Ingest(new JobEvent { Key = ran, Kind = JobEventKind.Completed, At = harness.Time.GetUtcNow() });
        // A duplicate changes nothing and is not counted again.
        harness.Loop.Ingest(new JobEvent { Key = ran, Kind = JobEventKind.Completed, At = harness.Time.GetUtcNow() });
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        Assert.Equal(2, recorded.Sum("drover_jobs_queued_total", ("pool", "linux")));
        Assert.Equal(1, recorded.Sum("drover_jobs_queued_total", ("pool", "")));
        Assert.Equal(1, recorded.Sum("drover_jobs_started_total", ("pool", "linux")));
        Assert.Equal(1, recorded.Sum("drover_jobs_completed_total", ("pool", "linux")));
        Assert.Equal(1, recorded.Sum("drover_jobs_cancelled_total", ("pool", "linux")));
        Assert.Equal([42.0], recorded.Values("drover_job_queue_wait_seconds", ("pool", "linux")));
        Assert.Equal([90.0], recorded.Values("drover_job_duration_seconds", ("pool", "linux")));
        Assert.NotEqual(default, unmatched);
    }

    [Fact]
    public async Task JobOnAColdRunner_PhasesRecordedPerPoolSumToTheWaitAndAreStoredWithTheJob()
    {
        await using var harness = await LoopHarness.CreateAsync();
        using var recorded = new Recorder(harness.Metrics);
        var created = harness.Time.GetUtcNow();
        var job = new JobKey("github", "phased");
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = created, Labels = ["linux"], Scope = "acme/app" });
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await harness.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        harness.Forge.Register(runner.Id);
        harness.Time.Advance(TimeSpan.FromSeconds(20));
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(4));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = runner.Id });

        await harness.Loop.RunCycleAsync(CancellationToken.None);

        var stored = await harness.Store.GetJobAsync(job, CancellationToken.None);
        Assert.NotNull(stored);
        var phases = JobPhases.Of(stored);
        Assert.NotNull(phases);
        // Known 2 s after creation, created at the next cycle 1 s later, registered and ready 20 s on, started 4 s after.
        Assert.Equal([2d, 1, 0, 20, 0, 4], phases.Each().Select(p => p.Duration.TotalSeconds));
        Assert.Equal(stored.StartedAt - stored.QueuedAt, phases.Total);
        Assert.Equal(runner.Id, stored.RunnerTimes!.RunnerId);
        foreach (var (name, duration) in phases.Each())
        {
            Assert.Equal([duration.TotalSeconds], recorded.Values("drover_job_phase_seconds", ("pool", "linux"), ("phase", name)));
        }

        // A restarted process keeps the job's milestones and does not record its phases again.
        var restarted = harness.NewLoop();
        await restarted.StartAsync(CancellationToken.None);
        await restarted.RunCycleAsync(CancellationToken.None);
        Assert.Equal(stored.RunnerTimes, (await harness.Store.GetJobAsync(job, CancellationToken.None))!.RunnerTimes);
        Assert.Single(recorded.Values("drover_job_phase_seconds", ("phase", "pickup")));
    }

    [Fact]
    public async Task JobWhoseStartArrivesBeforeItsQueuedEvent_PhasesRecordedOnceTheCreationIsKnown()
    {
        await using var harness = await LoopHarness.CreateAsync(idle: 1);
        using var recorded = new Recorder(harness.Metrics);
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        var warm = Assert.Single(await harness.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        harness.Forge.Register(warm.Id);
        harness.Time.Advance(TimeSpan.FromSeconds(10));
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        var job = new JobKey("github", "reordered");
        var created = harness.Time.GetUtcNow();
        harness.Time.Advance(TimeSpan.FromSeconds(1));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = warm.Id });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        Assert.Empty(recorded.Values("drover_job_phase_seconds"));

        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = created, Labels = ["linux"], Scope = "acme/app" });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        var stored = await harness.Store.GetJobAsync(job, CancellationToken.None);
        var phases = JobPhases.Of(stored!);
        Assert.NotNull(phases);
        Assert.Equal([phases.Pickup.TotalSeconds], recorded.Values("drover_job_phase_seconds", ("pool", "linux"), ("phase", "pickup")));
        Assert.Equal(6, recorded.Values("drover_job_phase_seconds", ("pool", "linux")).Count);
    }

    [Fact]
    public async Task JobTakenByARunnerDroverDoesNotManage_HasNoPhases()
    {
        await using var harness = await LoopHarness.CreateAsync();
        using var recorded = new Recorder(harness.Metrics);
        var job = harness.Queue();
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = "someone-elses-runner" });

        await harness.Loop.RunCycleAsync(CancellationToken.None);

        var stored = await harness.Store.GetJobAsync(job, CancellationToken.None);
        Assert.Equal(harness.Time.GetUtcNow().AddSeconds(-5), stored!.KnownAt);
        Assert.Null(stored.RunnerTimes);
        Assert.Empty(recorded.Values("drover_job_phase_seconds"));
    }

    [Fact]
    public async Task FailedCalls_CountedByOperationAndReason()
    {
        await using var harness = await LoopHarness.CreateAsync(idle: 1);
        using var recorded = new Recorder(harness.Metrics);
        harness.Provider.BeforeCreate = _ => throw new HttpRequestException("quota", null, System.Net.HttpStatusCode.TooManyRequests);
        harness.Provider.BeforeList = () => throw new TimeoutException("list timed out");

        await harness.Loop.RunCycleAsync(CancellationToken.None);

        Assert.True(recorded.Sum("drover_provider_call_errors_total", ("provider", "fake"), ("operation", "create"), ("reason", "rate-limited")) >= 1);
        Assert.True(recorded.Sum("drover_provider_call_errors_total", ("provider", "fake"), ("operation", "list"), ("reason", "timeout")) >= 1);
        Assert.True(recorded.Sum("drover_provider_calls_total", ("provider", "fake"), ("outcome", "failure")) >= 2);
        Assert.Equal(0, recorded.Sum("drover_forge_call_errors_total"));
    }

    [Theory]
    [InlineData(System.Net.HttpStatusCode.TooManyRequests, "rate-limited")]
    [InlineData(System.Net.HttpStatusCode.Unauthorized, "configuration")]
    [InlineData(System.Net.HttpStatusCode.NotFound, "not-found")]
    [InlineData(System.Net.HttpStatusCode.BadGateway, "transient")]
    public void ErrorReason_FromWhatTheErrorMeans(System.Net.HttpStatusCode status, string reason)
    {
        Assert.Equal(reason, EngineMetrics.ErrorReason(new InvalidOperationException("wrapped", new HttpRequestException("x", null, status))));
        Assert.Equal("configuration", EngineMetrics.ErrorReason(new AdapterConfigurationException("no kubeconfig")));
    }

    /// <summary>Every measurement of the harness's meter, by instrument name and tags.</summary>
    private sealed class Recorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, KeyValuePair<string, object?>[] Tags, double Value)> _measurements = [];

        public Recorder(EngineMetrics metrics)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter == metrics.Meter)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i, v, tags));
            _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Add(i, v, tags));
            _listener.Start();
        }

        public double Sum(string name, params (string Key, string Value)[] tags) => Matching(name, tags).Sum();

        public List<double> Values(string name, params (string Key, string Value)[] tags) => [.. Matching(name, tags)];

        public void Dispose() => _listener.Dispose();

        private IEnumerable<double> Matching(string name, (string Key, string Value)[] tags)
        {
            lock (_measurements)
            {
                return [.. _measurements.Where(m => m.Name == name && tags.All(t => m.Tags.Any(x => x.Key == t.Key && (x.Value as string) == t.Value))).Select(m => m.Value)];
            }
        }

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = tags.ToArray();
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, copy, value));
            }
        }
    }
}
