namespace Drover.Core.Demand;

/// <summary>
/// Where a job's wait went, from its creation on the forge to its start on a runner, in six phases that tile the wait
/// exactly (their sum is <c>StartedAt − QueuedAt</c>):
/// <list type="bullet">
/// <item><c>intake</c>: created on the forge → Drover knew of it (<see cref="Job.KnownAt"/>);</item>
/// <item><c>decision</c>: known → the create of the runner that took it was requested;</item>
/// <item><c>provisioning</c>: requested → the provider confirmed the instance;</item>
/// <item><c>boot</c>: instance created → a forge list showed the runner registered online;</item>
/// <item><c>registration</c>: registered → the engine counted the runner ready;</item>
/// <item><c>pickup</c>: ready → the job started.</item>
/// </list>
/// </summary>
/// <remarks>
/// Each boundary is clamped between the one before it and the job's start, so the phases never overlap or go
/// negative: for a job taken by a warm runner that was ready before Drover knew of the job, decision, provisioning, boot
/// and registration are 0 and pickup carries the rest of the wait. A milestone the engine did not see (a runner whose
/// boot fell between two observations) gives its phase's time to the phase before it. The forge's times
/// (created, started) and Drover's (the rest) come from two clocks; clamping keeps a small skew from making a phase
/// negative.
/// </remarks>
public sealed record JobPhases(TimeSpan Intake, TimeSpan Decision, TimeSpan Provisioning, TimeSpan Boot, TimeSpan Registration, TimeSpan Pickup)
{
    /// <summary>The phase names, in order, as metrics and the API spell them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["intake", "decision", "provisioning", "boot", "registration", "pickup"];

    /// <summary>The whole wait: the sum of the phases.</summary>
    public TimeSpan Total => Intake + Decision + Provisioning + Boot + Registration + Pickup;

    /// <summary>Each phase with its name, in order.</summary>
    public IReadOnlyList<(string Name, TimeSpan Duration)> Each() =>
    [
        ("intake", Intake), ("decision", Decision), ("provisioning", Provisioning),
        ("boot", Boot), ("registration", Registration), ("pickup", Pickup),
    ];

    /// <summary>
    /// The phases of <paramref name="job"/>, or null while they cannot be told: it has not started, its creation time
    /// or the time Drover learnt of it is unknown, or no Drover runner's milestones are attached
    /// (<see cref="Job.RunnerTimes"/>: a runner Drover does not manage took it).
    /// </summary>
    public static JobPhases? Of(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (job is not { QueuedAt: { } created, StartedAt: { } started, KnownAt: { } known, RunnerTimes: { } runner })
        {
            return null;
        }

        return Between(created, known, runner.RequestedAt, runner.InstanceCreatedAt, runner.RegisteredAt, runner.ReadyAt, started);
    }

    /// <summary>
    /// The phases between the milestones, each boundary clamped between the previous one and <paramref name="started"/>;
    /// a missing milestone takes the next known one.
    /// </summary>
    public static JobPhases Between(
        DateTimeOffset created,
        DateTimeOffset known,
        DateTimeOffset requested,
        DateTimeOffset? instanceCreated,
        DateTimeOffset? registered,
        DateTimeOffset? ready,
        DateTimeOffset started)
    {
        var end = started < created ? created : started;
        var readyOrStart = ready ?? end;
        var registeredOrNext = registered ?? readyOrStart;
        var instanceOrNext = instanceCreated ?? registeredOrNext;
        DateTimeOffset[] milestones = [known, requested, instanceOrNext, registeredOrNext, readyOrStart];
        var boundaries = new DateTimeOffset[milestones.Length + 2];
        boundaries[0] = created;
        for (var i = 0; i < milestones.Length; i++)
        {
            var at = milestones[i];
            var previous = boundaries[i];
            boundaries[i + 1] = at < previous ? previous : at > end ? end : at;
        }

        boundaries[^1] = end;
        return new JobPhases(
            boundaries[1] - boundaries[0],
            boundaries[2] - boundaries[1],
            boundaries[3] - boundaries[2],
            boundaries[4] - boundaries[3],
            boundaries[5] - boundaries[4],
            boundaries[6] - boundaries[5]);
    }
}
