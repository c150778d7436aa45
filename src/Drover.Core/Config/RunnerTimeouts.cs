namespace Drover.Core.Config;

/// <summary>How long a runner may stay in each lifecycle state before the planner acts on it.</summary>
public sealed record RunnerTimeouts
{
    /// <summary>Requested but no provider call confirmed.</summary>
    public TimeSpan Requested { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Instance being created at the provider.</summary>
    public TimeSpan Provisioning { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Instance up, runner not yet registered with the forge (bootstrap timeout).</summary>
    public TimeSpan Registering { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// A busy runner whose job the forge does not report running (its job unknown to the ledger, or no longer running
    /// there) is considered lost after this long in Busy.
    /// </summary>
    public TimeSpan Busy { get; init; } = TimeSpan.FromHours(24);

    /// <summary>
    /// A busy runner whose job the forge still reports running is never taken for lost before this ceiling; null means
    /// the forge's own limit (<see cref="ForgeJobCeiling"/>): a job is not cut short while the forge lets it run.
    /// </summary>
    public TimeSpan? RunningJob { get; init; }

    /// <summary>Deletion requested but not confirmed: the delete is issued again.</summary>
    public TimeSpan Draining { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A busy runner whose job the ledger already saw finish is reaped after this grace.</summary>
    public TimeSpan FinishedJobGrace { get; init; } = TimeSpan.FromMinutes(5);

    public static RunnerTimeouts Default { get; } = new();

    /// <summary>
    /// The longest a forge lets one job run, plus an hour for it to report the end: GitHub self-hosted runners, 5 days;
    /// GitLab, a project's longest timeout, 1 month.
    /// </summary>
    public static TimeSpan ForgeJobCeiling(ForgeKind kind) => kind switch
    {
        ForgeKind.GitHub => TimeSpan.FromDays(5) + TimeSpan.FromHours(1),
        _ => TimeSpan.FromDays(31) + TimeSpan.FromHours(1),
    };

    /// <summary>How long a busy runner may stay busy: <see cref="Busy"/>, or the running-job ceiling when the forge reports its job running.</summary>
    /// <param name="forge">The kind of the pool's forge.</param>
    /// <param name="jobReportedRunning">True when the ledger holds the runner's job as running.</param>
    public TimeSpan BusyLimit(ForgeKind forge, bool jobReportedRunning) =>
        jobReportedRunning ? RunningJob ?? ForgeJobCeiling(forge) : Busy;
}
