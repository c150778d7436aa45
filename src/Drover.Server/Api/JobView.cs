using Drover.Core.Demand;
using Drover.Core.Matching;

namespace Drover.Server.Api;

/// <summary>
/// A job as the API shows it: the ledger's record, the pool it matches (null when none does), its queue wait in seconds
/// (queued → started, or queued → now while it waits; null when never seen queued) and, once it started on a Drover
/// runner, where the wait went (<see cref="Phases"/>, seconds per phase, in order) with the milestones they are
/// measured between (<see cref="QueuedAt"/> is the job's creation on the forge, <see cref="KnownAt"/> when Drover
/// learnt of it, <see cref="RunnerTimes"/> the runner's boot milestones, <see cref="StartedAt"/> its start).
/// </summary>
internal sealed record JobView(
    JobKey Key,
    JobState State,
    IReadOnlyList<string> Labels,
    string? Scope,
    DateTimeOffset? QueuedAt,
    DateTimeOffset? KnownAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? RunnerName,
    long? RunId,
    DateTimeOffset LastEventAt,
    bool IsWaiting,
    bool IsFinished,
    string? Pool,
    double? WaitSeconds,
    JobRunnerTimes? RunnerTimes,
    IReadOnlyDictionary<string, double>? Phases)
{
    /// <summary>The view of <paramref name="job"/>, matched by <paramref name="matcher"/>, its wait measured to <paramref name="now"/> while it waits.</summary>
    public static JobView Of(Job job, PoolMatcher matcher, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(matcher);
        double? wait = job.QueuedAt is not { } queued
            ? null
            : job.StartedAt is { } started
                ? Math.Max(0, (started - queued).TotalSeconds)
                : job.IsWaiting ? Math.Round(Math.Max(0, (now - queued).TotalSeconds), 1) : null;
        var phases = JobPhases.Of(job);
        return new JobView(
            job.Key, job.State, job.Labels, job.Scope, job.QueuedAt, job.KnownAt, job.StartedAt, job.FinishedAt, job.RunnerName, job.RunId,
            job.LastEventAt, job.IsWaiting, job.IsFinished, matcher.Match(job)?.Name, wait, job.RunnerTimes,
            phases?.Each().ToDictionary(p => p.Name, p => p.Duration.TotalSeconds, StringComparer.Ordinal));
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
