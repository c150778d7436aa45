using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Drover.Core.Demand;
using Drover.Engine.Loop;

namespace Drover.Engine.Tests;

/// <summary>
/// The engine's spans: one per control cycle, and per job a wait span (with its milestones as events and a span per
/// phase) and a run span, both in the trace derived from the job's key, also when a restarted process emits the second.
/// </summary>
[Collection(JobTraceTests.Name)]
public sealed class JobTraceTests : IDisposable
{
    /// <summary>Activity listeners see every source in the process: these tests run one at a time.</summary>
    public const string Name = "activity listener";

    private readonly ActivityListener _listener;
    private readonly List<Activity> _spans = [];

    public JobTraceTests()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ControlLoop.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (_spans)
                {
                    _spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Job_WaitSpanAndRunSpanFromTwoProcesses_ShareTheTraceAndParentDerivedFromItsKey()
    {
        await using var harness = await LoopHarness.CreateAsync();
        var job = new JobKey("github", $"traced-{Guid.NewGuid():N}");
        var created = harness.Time.GetUtcNow();
        harness.Time.Advance(TimeSpan.FromSeconds(2));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = created, Labels = ["linux"], Scope = "acme/app" });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        var runner = Assert.Single(await harness.Store.ListRunnersAsync("linux", null, CancellationToken.None));
        harness.Forge.Register(runner.Id);
        harness.Time.Advance(TimeSpan.FromSeconds(20));
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(3));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = runner.Id });
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        // Another process (a follower turned leader) sees the job complete.
        var successor = harness.NewLoop();
        await successor.StartAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(60));
        successor.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = harness.Time.GetUtcNow() });
        await successor.RunCycleAsync(CancellationToken.None);

        var (traceId, rootId) = Derived(job);
        var spans = Spans().Where(s => s.TraceId == traceId).ToList();
        var wait = Assert.Single(spans, s => s.OperationName == "drover.job.wait");
        var run = Assert.Single(spans, s => s.OperationName == "drover.job.run");
        Assert.Equal(rootId, wait.ParentSpanId);
        Assert.Equal(rootId, run.ParentSpanId);
        Assert.Equal(created.UtcDateTime, wait.StartTimeUtc);
        Assert.Equal(TimeSpan.FromSeconds(25), wait.Duration);
        Assert.Equal(["queued", "known", "runner_requested", "instance_created", "runner_registered", "runner_ready", "started"], wait.Events.Select(e => e.Name));
        Assert.Equal(job.Id, wait.GetTagItem("drover.job.id"));
        Assert.Equal("linux", wait.GetTagItem("drover.pool"));
        // Phases that took time, each under the wait span: intake 2 s, decision 0 (no span), boot 20 s, pickup 3 s.
        var phases = spans.Where(s => s.ParentSpanId == wait.SpanId).OrderBy(s => s.StartTimeUtc).Select(s => (s.OperationName, s.Duration.TotalSeconds));
        Assert.Equal([("drover.job.phase.intake", 2d), ("drover.job.phase.boot", 20d), ("drover.job.phase.pickup", 3d)], phases);
        Assert.Equal(TimeSpan.FromSeconds(60), run.Duration);
        Assert.Equal("completed", run.GetTagItem("drover.job.outcome"));
        Assert.Contains(Spans(), s => s.OperationName == "drover.plan_cycle" && s.GetTagItem("drover.plan.pools") is 1);
    }

    [Fact]
    public async Task Job_TakenByARunnerNotOfTheFleet_GetsOneWaitSpan_ThoughLaterEventsChangeIt()
    {
        await using var harness = await LoopHarness.CreateAsync();
        var job = new JobKey("github", $"foreign-{Guid.NewGuid():N}");
        var created = harness.Time.GetUtcNow();
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = created, Labels = ["linux"], Scope = "acme/app" });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(4));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = harness.Time.GetUtcNow(), RunnerName = "a-hand-made-runner" });
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        // Later news of the same job (its completion, a second delivery of its start with more facts) is no second wait.
        harness.Time.Advance(TimeSpan.FromSeconds(30));
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Started, At = created + TimeSpan.FromSeconds(4), RunnerName = "a-hand-made-runner", RunId = 77 });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = harness.Time.GetUtcNow(), RunnerName = "a-hand-made-runner" });
        await harness.Loop.RunCycleAsync(CancellationToken.None);
        harness.Time.Advance(TimeSpan.FromSeconds(5));
        await harness.Loop.RunCycleAsync(CancellationToken.None);

        var (traceId, _) = Derived(job);
        var spans = Spans().Where(s => s.TraceId == traceId).ToList();
        var wait = Assert.Single(spans, s => s.OperationName == "drover.job.wait");
        Assert.Equal(TimeSpan.FromSeconds(4), wait.Duration);
        Assert.Single(spans, s => s.OperationName == "drover.job.run");
    }

    private List<Activity> Spans()
    {
        lock (_spans)
        {
            return [.. _spans];
        }
    }

    /// <summary>The trace id and root span id a job's key gives, computed here independently of the engine.</summary>
    private static (ActivityTraceId, ActivitySpanId) Derived(JobKey key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"drover-job\n{key.Forge}\n{key.Id}"));
        return (ActivityTraceId.CreateFromBytes(hash.AsSpan(0, 16)), ActivitySpanId.CreateFromBytes(hash.AsSpan(16, 8)));
    }
}
