namespace Drover.Providers.Process;

/// <summary>
/// What <see cref="RunnerRegistry"/> keeps of one runner process, so that a later Drover process can find it again:
/// written before the process starts (no <see cref="ProcessId"/> yet) and again once it runs.
/// </summary>
/// <param name="Name">The runner name: instance id and idempotency key.</param>
/// <param name="Pool">The pool the runner belongs to.</param>
/// <param name="CreatedAt">When the create was made (Drover's clock).</param>
/// <param name="ProcessId">The process id (also its process group and session id); null while it is being started.</param>
/// <param name="StartTime">
/// The process's start time as the kernel counts it (<c>/proc/PID/stat</c> field 22, clock ticks since boot), so that
/// a process id reused by another program is never taken for the runner; null while it is being started.
/// </param>
/// <param name="LostExitCode">
/// For a runner killed by a signal Drover did not send (<see cref="ProcessExit.KilledFromOutside"/>): its exit code. The
/// record is kept after the process ended, so a restarted Drover lists the runner as lost too, until it is deleted or
/// <see cref="ProcessProvider.LostListing"/> passed; null for a runner that runs or is being started.
/// </param>
/// <param name="EndedAt">When the runner killed from outside ended (Drover's clock); null otherwise.</param>
internal sealed record RunnerRecord(string Name, string Pool, DateTimeOffset CreatedAt, int? ProcessId, ulong? StartTime, int? LostExitCode = null, DateTimeOffset? EndedAt = null);
