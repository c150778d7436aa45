namespace Drover.Forges.GitHub.Webhooks;

/// <summary>
/// What GitHub tells of a job's ref besides the job object: the repository's default branch (the webhook's
/// <c>repository</c>, a run's <c>repository</c> when it carries it), the workflow run's <c>event</c> (known to the
/// poller, which lists runs; a <c>workflow_job</c> webhook does not carry it) and the environment of the deployment the
/// job waits for (the webhook's <c>deployment</c>).
/// </summary>
internal sealed record RunFacts(string? DefaultBranch, string? Event, string? Environment);
