using Drover.Core.Demand;

namespace Drover.Server.Api;

/// <summary>
/// A job as the API shows it: the ledger's record, its wait and, once it started on a Drover runner, where the wait
/// went (<see cref="Phases"/>, seconds per phase, in order) with the milestones they are measured between
/// (<see cref="QueuedAt"/> is the job's creation on the forge, <see cref="KnownAt"/> when Drover learnt of it,
/// <see cref="RunnerTimes"/> the runner's boot milestones, <see cref="StartedAt"/> its start).
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
    double? WaitSeconds,
    JobRunnerTimes? RunnerTimes,
    IReadOnlyDictionary<string, double>? Phases)
{
    /// <summary>The view of <paramref name="job"/>.</summary>
    public static JobView Of(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var phases = JobPhases.Of(job);
        return new JobView(
            job.Key,
            job.State,
            job.Labels,
            job.Scope,
            job.QueuedAt,
            job.KnownAt,
            job.StartedAt,
            job.FinishedAt,
            job.RunnerName,
            job.RunId,
            job.LastEventAt,
            job.IsWaiting,
            job.IsFinished,
            job is { QueuedAt: { } queued, StartedAt: { } started } ? Math.Max(0, (started - queued).TotalSeconds) : null,
            job.RunnerTimes,
            phases?.Each().ToDictionary(p => p.Name, p => p.Duration.TotalSeconds, StringComparer.Ordinal));
    }
}
