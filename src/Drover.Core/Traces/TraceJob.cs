namespace Drover.Core.Traces;

/// <summary>
/// One job of a trace: when it was queued, when it started on the recorded fleet (if the source knows),
/// how long it ran, the labels it asked for and where it came from. Times are kept as Unix milliseconds
/// and exposed as <see cref="DateTimeOffset"/> in UTC (48 bytes a job with the ref kind).
/// </summary>
public readonly record struct TraceJob
{
    private const long NotStarted = long.MinValue;

    private readonly long _startedAtMs;

    /// <param name="queuedAtUnixMs">Queue time, Unix milliseconds.</param>
    /// <param name="startedAtUnixMs">Start time on the recorded fleet, Unix milliseconds; null when unknown.</param>
    /// <param name="durationSeconds">Run time in seconds (finite, not negative).</param>
    /// <param name="labels">The job's labels; share instances through a <see cref="LabelSetInterner"/>.</param>
    /// <param name="scope">Repository or project, if known.</param>
    public TraceJob(long queuedAtUnixMs, long? startedAtUnixMs, double durationSeconds, LabelSet labels, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!double.IsFinite(durationSeconds) || durationSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(durationSeconds), durationSeconds, "must be finite and not negative");
        }

        if (startedAtUnixMs is { } started && started < queuedAtUnixMs)
        {
            throw new ArgumentOutOfRangeException(nameof(startedAtUnixMs), started, "must not be before the queue time");
        }

        QueuedAtUnixMs = queuedAtUnixMs;
        _startedAtMs = startedAtUnixMs ?? NotStarted;
        DurationSeconds = durationSeconds;
        Labels = labels;
        Scope = scope;
    }

    /// <summary>Builds a job from <see cref="DateTimeOffset"/> times (kept to the millisecond).</summary>
    public TraceJob(DateTimeOffset queuedAt, DateTimeOffset? startedAt, double durationSeconds, LabelSet labels, string? scope = null)
        : this(queuedAt.ToUnixTimeMilliseconds(), startedAt?.ToUnixTimeMilliseconds(), durationSeconds, labels, scope)
    {
    }

    public long QueuedAtUnixMs { get; }

    public long? StartedAtUnixMs => _startedAtMs == NotStarted ? null : _startedAtMs;

    public DateTimeOffset QueuedAt => DateTimeOffset.FromUnixTimeMilliseconds(QueuedAtUnixMs);

    public DateTimeOffset? StartedAt => _startedAtMs == NotStarted ? null : DateTimeOffset.FromUnixTimeMilliseconds(_startedAtMs);

    public double DurationSeconds { get; }

    public LabelSet Labels { get; }

    public string? Scope { get; }

    /// <summary>What the job's ref was (default branch, tag, pull request, other branch), when the trace records it; null otherwise (the lowest priority class in simulation).</summary>
    public Demand.JobRefKind? RefKind { get; init; }

    /// <summary>How long the job waited on the recorded fleet; null when the start is unknown.</summary>
    public TimeSpan? QueueTime => _startedAtMs == NotStarted ? null : TimeSpan.FromMilliseconds(_startedAtMs - QueuedAtUnixMs);
}
