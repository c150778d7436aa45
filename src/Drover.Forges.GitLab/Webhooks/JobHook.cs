using Drover.Core.Demand;

namespace Drover.Forges.GitLab.Webhooks;

/// <summary>A <c>Job Hook</c> read: the job event it means (null for <c>created</c>), and where to fetch the job's tags.</summary>
/// <param name="Event">The ledger event, without tags (the hook carries none).</param>
/// <param name="ProjectId">The job's project.</param>
/// <param name="JobId">The job.</param>
/// <param name="Status">GitLab's <c>build_status</c>.</param>
internal sealed record JobHook(JobEvent? Event, long ProjectId, long JobId, string Status);
