namespace Drover.Core.Demand;

/// <summary>
/// Pure rules for jobs lost to the infrastructure: whether a lost job is re-run (the pool's limit counted over the
/// job's whole line of re-runs, so a re-run that is lost again uses the same budget), and when a pending re-run is
/// asked for again or given up.
/// </summary>
public static class JobRerunRules
{
    /// <summary>How long after a refusal-for-now (the job still running at the forge, a failed call) the forge is asked again.</summary>
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a re-run is asked for before it is given up: a forge re-runs a job only once it has ended, and a forge
    /// notices a runner that vanished under a job only after its own timeout (GitHub after about ten minutes).
    /// </summary>
    public static readonly TimeSpan Window = TimeSpan.FromHours(2);

    /// <summary>
    /// The record for a job lost at <paramref name="now"/>.
    /// </summary>
    /// <param name="job">The lost job.</param>
    /// <param name="known">The job as the ledger knows it (scope, run), or null.</param>
    /// <param name="parent">The re-run that created this job (its <see cref="JobRerun.NewJobId"/>), or null.</param>
    /// <param name="lineReruns">Re-runs already made or pending for the job's line (<see cref="CountsAgainstLimit"/>).</param>
    /// <param name="limit">The pool's <c>lostJobReruns</c>.</param>
    /// <param name="pool">The pool of the runner.</param>
    /// <param name="runnerId">The runner.</param>
    /// <param name="provider">The runner's provider.</param>
    /// <param name="instanceId">The lost instance.</param>
    /// <param name="reason">What happened to the instance.</param>
    /// <param name="now">When the loss was seen.</param>
    public static JobRerun Decide(JobKey job, Job? known, JobRerun? parent, int lineReruns, int limit, string pool, string runnerId, string provider, string? instanceId, string reason, DateTimeOffset now)
    {
        var origin = parent?.OriginJobId ?? job.Id;
        var (state, attempt, message) = limit <= 0
            ? (JobRerunState.Disabled, 0, $"pool '{pool}' does not re-run lost jobs (lostJobReruns: 0)")
            : lineReruns >= limit
                ? (JobRerunState.Capped, 0, $"already re-run {lineReruns} time{(lineReruns == 1 ? string.Empty : "s")}, the most pool '{pool}' allows (lostJobReruns: {limit})")
                : (JobRerunState.Pending, lineReruns + 1, (string?)null);
        return new JobRerun
        {
            Job = job,
            OriginJobId = origin,
            Attempt = attempt,
            State = state,
            Pool = pool,
            RunnerId = runnerId,
            Provider = provider,
            InstanceId = instanceId,
            Reason = reason,
            Scope = known?.Scope ?? parent?.Scope,
            RunId = known?.RunId ?? parent?.RunId,
            LostAt = now,
            UpdatedAt = now,
            Message = message,
        };
    }

    /// <summary>Whether a record uses one of its line's re-runs: pending or requested.</summary>
    public static bool CountsAgainstLimit(JobRerun rerun)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        return rerun.State is JobRerunState.Pending or JobRerunState.Requested;
    }

    /// <summary>Whether a pending re-run is to be asked for at <paramref name="now"/> (first call, or the retry interval passed).</summary>
    public static bool Due(JobRerun rerun, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        return rerun.State == JobRerunState.Pending && (rerun.Calls == 0 || now - rerun.UpdatedAt >= RetryInterval);
    }

    /// <summary>Whether a pending re-run is past <see cref="Window"/> and given up.</summary>
    public static bool Expired(JobRerun rerun, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(rerun);
        return rerun.State == JobRerunState.Pending && now - rerun.LostAt >= Window;
    }
}
