using Drover.Core.Demand;
using Drover.Core.Matching;

namespace Drover.Server.Api;

/// <summary>
/// A job as <c>GET /api/v1/jobs</c> shows it: the ledger's fields, plus the pool it matches (null when none does) and
/// its queue wait in seconds (queued → started, or queued → now while it waits; null when never seen queued).
/// </summary>
internal sealed record JobView(
    JobKey Key,
    JobState State,
    IReadOnlyList<string> Labels,
    string? Scope,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? RunnerName,
    long? RunId,
    DateTimeOffset LastEventAt,
    bool IsWaiting,
    bool IsFinished,
    string? Pool,
    double? WaitSeconds)
{
    public static JobView Of(Job job, PoolMatcher matcher, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(matcher);
        double? wait = job.QueuedAt is not { } queued
            ? null
            : job.StartedAt is { } started
                ? Math.Round(Math.Max(0, (started - queued).TotalSeconds), 1)
                : job.IsWaiting ? Math.Round(Math.Max(0, (now - queued).TotalSeconds), 1) : null;
        return new JobView(
            job.Key, job.State, job.Labels, job.Scope, job.QueuedAt, job.StartedAt, job.FinishedAt, job.RunnerName, job.RunId, job.LastEventAt,
            job.IsWaiting, job.IsFinished, matcher.Match(job)?.Name, wait);
    }

    /// <summary>
    /// The order a list of jobs in one state is shown in: waiting jobs longest-waiting first, running ones newest start
    /// first, finished ones newest finish first; ties by forge and id.
    /// </summary>
    public static IEnumerable<Job> Ordered(IEnumerable<Job> jobs, JobState state) => state switch
    {
        JobState.Queued => jobs.OrderBy(j => j.QueuedAt ?? j.LastEventAt).ThenBy(j => j.Key.Forge, StringComparer.Ordinal).ThenBy(j => j.Key.Id, StringComparer.Ordinal),
        JobState.Running => jobs.OrderByDescending(j => j.StartedAt ?? j.LastEventAt).ThenBy(j => j.Key.Forge, StringComparer.Ordinal).ThenBy(j => j.Key.Id, StringComparer.Ordinal),
        _ => jobs.OrderByDescending(j => j.FinishedAt ?? j.LastEventAt).ThenBy(j => j.Key.Forge, StringComparer.Ordinal).ThenBy(j => j.Key.Id, StringComparer.Ordinal),
    };
}
