namespace Drover.Core.Demand;

/// <summary>The ledger's current view of one job.</summary>
public sealed record Job
{
    public required JobKey Key { get; init; }

    public required JobState State { get; init; }

    public IReadOnlyList<string> Labels { get; init; } = [];

    public string? Scope { get; init; }

    /// <summary>When the job was queued; null when the ledger never saw it queued.</summary>
    public DateTimeOffset? QueuedAt { get; init; }

    /// <summary>
    /// When Drover first learnt of the job (a webhook delivery received, a poll or a scale-set message that listed it),
    /// by Drover's clock; null for jobs stored before this was recorded.
    /// </summary>
    public DateTimeOffset? KnownAt { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public string? RunnerName { get; init; }

    public long? RunId { get; init; }

    /// <summary>The branch or tag the job runs on, as its forge named it; null when the forge did not say.</summary>
    public string? Ref { get; init; }

    /// <summary>What <see cref="Ref"/> is, as far as the forge told; null when it did not. Priority classes match on it.</summary>
    public JobRefKind? RefKind { get; init; }

    /// <summary>The deployment environment the job deploys to, when the forge told; priority classes' <c>deployments</c> match it.</summary>
    public string? Environment { get; init; }

    /// <summary>
    /// The boot milestones of the Drover runner that took the job, copied from it once the job started on it (see
    /// <see cref="JobPhases"/>); null until then, and for jobs taken by runners Drover does not manage.
    /// </summary>
    public JobRunnerTimes? RunnerTimes { get; init; }

    /// <summary>Time of the newest event applied to this job.</summary>
    public required DateTimeOffset LastEventAt { get; init; }

    public bool IsWaiting => State == JobState.Queued;

    public bool IsFinished => State is JobState.Completed or JobState.Cancelled or JobState.Expired;
}
