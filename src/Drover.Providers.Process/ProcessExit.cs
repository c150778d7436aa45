namespace Drover.Providers.Process;

/// <summary>How a runner process ended, kept by <see cref="ProcessProvider"/> for diagnostics after it left the instance list.</summary>
/// <param name="RunnerName">The runner (and instance id).</param>
/// <param name="Pool">The pool it belonged to.</param>
/// <param name="ExitCode">The runner's exit code (128 + signal when it was killed), as its launcher reported it to this Drover process (its parent) or wrote it to the runner's directory (a runner adopted, or ended while no Drover process watched it); <see cref="Unknown"/> when neither tells.</param>
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

    /// <summary>The exit code of a process that was not this process's child and left no exit status: unknown.</summary>
    public const int Unknown = -1;

    /// <summary>
    /// The exit status the launcher wrote to <c>{directory}/.exit-status</c> when the runner ended (0–255; 128 + the
    /// signal when it was killed); <see cref="Unknown"/> when there is none (the launcher itself was killed, or the
    /// runner still ran) or it cannot be read.
    /// </summary>
    public static int Read(string directory)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(directory, RunnerProcess.ExitStatusFileName)).Trim();
            return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var code) && code <= 255 ? code : Unknown;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Unknown;
        }
    }
}
