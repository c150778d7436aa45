namespace Drover.Core.Demand;

/// <summary>
/// What every demand source (webhook, poller, long-poll listener, simulated forge) turns forge activity into.
/// </summary>
public sealed record JobEvent
{
    public required JobKey Key { get; init; }

    public required JobEventKind Kind { get; init; }

    /// <summary>When the forge says it happened (not when Drover received it).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>
    /// When Drover received the news (the webhook delivery's arrival, the poll or message that carried it), by Drover's
    /// clock; null until the engine stamps it on intake.
    /// </summary>
    public DateTimeOffset? ReceivedAt { get; init; }

    /// <summary>GitHub labels or GitLab tags requested by the job.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>Repository full name (<c>owner/repo</c>) or GitLab project path.</summary>
    public string? Scope { get; init; }

    /// <summary>Runner that took the job, once known.</summary>
    public string? RunnerName { get; init; }

    /// <summary>Workflow run / pipeline id.</summary>
    public long? RunId { get; init; }

    /// <summary>The branch or tag the job runs on, as the forge names it (GitHub <c>head_branch</c>, GitLab <c>ref</c>); null when it did not say.</summary>
    public string? Ref { get; init; }

    /// <summary>What <see cref="Ref"/> is (default branch, tag, pull request, other branch); null when the forge did not tell.</summary>
    public JobRefKind? RefKind { get; init; }

    /// <summary>The deployment environment the job deploys to (GitHub <c>deployment.environment</c>, GitLab <c>environment.name</c>); null when none or not told.</summary>
    public string? Environment { get; init; }

    /// <summary>Forge delivery id (e.g. X-GitHub-Delivery); a delivery seen twice is ignored.</summary>
    public string? DeliveryId { get; init; }
}
