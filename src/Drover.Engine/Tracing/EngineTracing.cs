using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Drover.Core.Demand;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;

namespace Drover.Engine.Tracing;

/// <summary>
/// The engine's traces (System.Diagnostics activities of <see cref="ControlLoop.ActivitySourceName"/>; exported by an
/// OpenTelemetry listener when one is configured, free when none listens): a span per control cycle, and per job a
/// trace whose id and parent span id are derived from the job's key, so whichever replica emits a span of a job — the
/// leader that saw it start, a follower turned leader that sees it complete — puts it in the same trace under the same
/// parent. The job's spans are emitted after the fact with the job's own times (from the ledger and the runner's
/// milestones), never held open across cycles.
/// </summary>
internal static class EngineTracing
{
    /// <summary>The source every engine span comes from.</summary>
    public static readonly ActivitySource Source = new(ControlLoop.ActivitySourceName, EngineMetrics.Version);

    /// <summary>
    /// The trace id of <paramref name="key"/>'s trace and the span id of its root: the forge's job, which Drover does not
    /// emit itself, so every span Drover emits for the job hangs under it. The first 24 bytes of SHA-256 over the key.
    /// </summary>
    public static ActivityContext JobContext(JobKey key)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes($"drover-job\n{key.Forge}\n{key.Id}"), hash);
        return new ActivityContext(ActivityTraceId.CreateFromBytes(hash[..16]), ActivitySpanId.CreateFromBytes(hash[16..24]), ActivityTraceFlags.Recorded, isRemote: true);
    }

    /// <summary>Starts the span of one control cycle; null when nothing listens.</summary>
    public static Activity? StartCycle() => Source.StartActivity("drover.plan_cycle", ActivityKind.Internal);

    /// <summary>
    /// Emits the span of a job's wait, from its creation to its start, with an event per milestone (queued, known,
    /// runner requested, instance created, runner registered, runner ready, started) and, when known, a child span per
    /// phase (<see cref="JobPhases"/>).
    /// </summary>
    public static void JobStarted(Job job, string pool, JobPhases? phases)
    {
        if (!Source.HasListeners() || job is not { QueuedAt: { } created, StartedAt: { } started })
        {
            return;
        }

        var end = started < created ? created : started;
        using var wait = Source.StartActivity("drover.job.wait", ActivityKind.Internal, JobContext(job.Key), Tags(job, pool), startTime: created);
        if (wait is null)
        {
            return;
        }

        wait.AddEvent(new ActivityEvent("queued", created));
        if (job.KnownAt is { } known)
        {
            wait.AddEvent(new ActivityEvent("known", known));
        }

        if (job.RunnerTimes is { } runner)
        {
            wait.SetTag("drover.runner", runner.RunnerId);
            wait.AddEvent(new ActivityEvent("runner_requested", runner.RequestedAt));
            AddEvent(wait, "instance_created", runner.InstanceCreatedAt);
            AddEvent(wait, "runner_registered", runner.RegisteredAt);
            AddEvent(wait, "runner_ready", runner.ReadyAt);
        }

        wait.AddEvent(new ActivityEvent("started", started));
        if (phases is not null)
        {
            // A span per phase that took time: a zero-length one adds nothing the milestones do not say.
            var at = created;
            foreach (var (name, duration) in phases.Each())
            {
                if (duration > TimeSpan.Zero)
                {
                    using var phase = Source.StartActivity("drover.job.phase." + name, ActivityKind.Internal, wait.Context, [new("drover.phase", name), new("drover.pool", pool)], startTime: at);
                    phase?.SetEndTime((at + duration).UtcDateTime);
                }

                at += duration;
            }
        }

        SetEnd(wait, created, end);
    }

    /// <summary>Emits the span of a job's run, from its start to its end, with its outcome (completed, cancelled).</summary>
    public static void JobFinished(Job job, string pool)
    {
        if (!Source.HasListeners() || job is not { StartedAt: { } started, FinishedAt: { } finished })
        {
            return;
        }

        using var run = Source.StartActivity("drover.job.run", ActivityKind.Internal, JobContext(job.Key), Tags(job, pool), startTime: started);
        if (run is null)
        {
            return;
        }

        var outcome = job.State == JobState.Cancelled ? "cancelled" : "completed";
        run.SetTag("drover.job.outcome", outcome);
        run.AddEvent(new ActivityEvent(outcome, finished));
        SetEnd(run, started, finished);
    }

    /// <summary>Ends the span at <paramref name="end"/>; at least a tick after its start, since one with no duration would take the current time as its end.</summary>
    private static void SetEnd(Activity activity, DateTimeOffset start, DateTimeOffset end) =>
        activity.SetEndTime((end > start ? end : start.AddTicks(1)).UtcDateTime);

    private static void AddEvent(Activity activity, string name, DateTimeOffset? at)
    {
        if (at is { } time)
        {
            activity.AddEvent(new ActivityEvent(name, time));
        }
    }

    private static KeyValuePair<string, object?>[] Tags(Job job, string pool) =>
    [
        new("drover.job.forge", job.Key.Forge),
        new("drover.job.id", job.Key.Id),
        new("drover.pool", pool),
        new("drover.job.scope", job.Scope),
        new("drover.runner", job.RunnerName),
    ];
}
