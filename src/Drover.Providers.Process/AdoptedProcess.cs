namespace Drover.Providers.Process;

/// <summary>
/// A runner process an earlier Drover process started and this one found running at start-up (same process id and
/// start time as recorded): it is listed and can be deleted, but is not this process's child, so its exit is noticed by
/// looking (every list) rather than by a wait.
/// </summary>
/// <param name="Record">What the registry holds of it, with its process id and start time.</param>
/// <param name="Directory">Its work directory.</param>
internal sealed record AdoptedProcess(RunnerRecord Record, string Directory)
{
    /// <summary>The process id, which is also its process group.</summary>
    public int ProcessId => Record.ProcessId!.Value;

    /// <summary>True while the recorded process still runs.</summary>
    public bool IsRunning => HostProcesses.IsRunning(ProcessId, Record.StartTime!.Value);
}
