namespace Drover.Providers.Process;

/// <summary>How a runner process ended, kept by <see cref="ProcessProvider"/> for diagnostics after it left the instance list.</summary>
/// <param name="RunnerName">The runner (and instance id).</param>
/// <param name="Pool">The pool it belonged to.</param>
/// <param name="ExitCode">The process's exit code (128 + signal when it was killed); <see cref="Unknown"/> for a process this Drover process did not start (adopted, or ended while no Drover process watched it).</param>
/// <param name="ExitedAt">When the exit was noticed.</param>
/// <param name="Deleted">True when the process was stopped by a delete, false when it exited on its own.</param>
/// <param name="LogPath">The runner's output log, when it was kept (<c>keepLogs: true</c>); null when removed.</param>
internal sealed record ProcessExit(string RunnerName, string Pool, int ExitCode, DateTimeOffset ExitedAt, bool Deleted, string? LogPath)
{
    /// <summary>
    /// The signal that killed the process from outside, when Drover did not stop it: <c>SIGKILL</c> (the OOM killer, an
    /// operator), <c>SIGTERM</c>, <c>SIGINT</c> or <c>SIGHUP</c> (a host shutting down). Null for an exit of its own, a
    /// crash (<c>SIGSEGV</c>, <c>SIGABRT</c>, ...) or a delete. Such a runner's job was lost, not failed.
    /// </summary>
    public string? KilledFromOutside => Deleted ? null : ExitCode switch
    {
        129 => "SIGHUP",
        130 => "SIGINT",
        137 => "SIGKILL",
        143 => "SIGTERM",
        _ => null,
    };

    /// <summary>The exit code of a process that was not this process's child: unknown.</summary>
    public const int Unknown = -1;
}
