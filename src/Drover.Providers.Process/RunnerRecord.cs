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
internal sealed record RunnerRecord(string Name, string Pool, DateTimeOffset CreatedAt, int? ProcessId, ulong? StartTime);
