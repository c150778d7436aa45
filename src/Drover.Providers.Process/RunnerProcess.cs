using Drover.Core.Adapters;

namespace Drover.Providers.Process;

/// <summary>
/// One runner process this Drover process started: the child, its work directory and its output log. The child writes
/// its stdout and stderr straight to <c>runner.log</c> (opened by the launcher, not piped through Drover), so it never
/// writes into a closed pipe when Drover is gone; the credential's value is replaced by <c>***</c> in the log when the
/// process ends.
/// </summary>
internal sealed class RunnerProcess
{
    public const string LogFileName = "runner.log";
    public const string CredentialFileName = ".credential";

    /// <summary>The file the launcher writes the runner's exit status to once it ended (see <see cref="ProcessExit.Read"/>).</summary>
    public const string ExitStatusFileName = ".exit-status";
    private const string Redacted = "***";

    private readonly string _secret;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _deleteRequested;

    private RunnerProcess(string name, string pool, string directory, DateTimeOffset createdAt, RunnerCredential credential, string? credentialFile, System.Diagnostics.Process process, bool ownGroup)
    {
        Name = name;
        Pool = pool;
        Directory = directory;
        CreatedAt = createdAt;
        CredentialFile = credentialFile;
        _secret = credential.Reveal();
        Process = process;
        OwnGroup = ownGroup;
    }

    public string Name { get; }

    public string Pool { get; }

    public string Directory { get; }

    public string LogPath => Path.Combine(Directory, LogFileName);

    public string? CredentialFile { get; }

    public DateTimeOffset CreatedAt { get; }

    public System.Diagnostics.Process Process { get; }

    /// <summary>True when the process leads a session and process group of its own (started through <c>setsid</c>).</summary>
    public bool OwnGroup { get; }

    /// <summary>Completes when the process has exited.</summary>
    public Task Exited => _exited.Task;

    /// <summary>Completes once the provider has finished with the process: exit recorded, files cleaned up.</summary>
    public Task Finished => _finished.Task;

    public bool DeleteRequested => Volatile.Read(ref _deleteRequested) == 1;

    /// <summary>The process id, kept from the start: the process object is released once the runner has ended.</summary>
    public int ProcessId { get; private set; }

    /// <summary>Starts <paramref name="startInfo"/>; the caller keeps the credential out of its arguments.</summary>
    public static RunnerProcess Start(string name, string pool, string directory, DateTimeOffset createdAt, RunnerCredential credential, string? credentialFile, System.Diagnostics.ProcessStartInfo startInfo, bool ownGroup)
    {
        var process = new System.Diagnostics.Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var runner = new RunnerProcess(name, pool, directory, createdAt, credential, credentialFile, process, ownGroup);
        process.Exited += (_, _) => runner._exited.TrySetResult();
        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        runner.ProcessId = process.Id;
        if (process.HasExited)
        {
            runner._exited.TrySetResult();
        }

        return runner;
    }

    /// <summary>Marks the process as being deleted; true for the first caller.</summary>
    public bool RequestDelete() => Interlocked.Exchange(ref _deleteRequested, 1) == 0;

    /// <summary>Asks the process (and its process group) to end: SIGTERM.</summary>
    public void Terminate()
    {
        if (Finished.IsCompleted)
        {
            // Ended and cleaned up (its group killed, the process object released): nothing left to ask.
            return;
        }

        if (OwnGroup)
        {
            HostProcesses.TerminateGroup(ProcessId);
        }
        else
        {
            Kill();
        }
    }

    /// <summary>Kills the process, its process group and everything it started.</summary>
    public void Kill()
    {
        if (Finished.IsCompleted)
        {
            // Ended and cleaned up: its group was killed then and the process object is released.
            return;
        }

        if (OwnGroup)
        {
            HostProcesses.KillGroup(ProcessId);
        }

        try
        {
            Process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (AggregateException)
        {
            // Some process of the tree could not be killed (it ended meanwhile, or is not ours to kill); the wait that
            // follows tells whether the runner itself ended.
        }
    }

    /// <summary>Replaces the credential's value by <c>***</c> in the log, if it appears there.</summary>
    public void RedactLog()
    {
        if (_secret.Length == 0 || !File.Exists(LogPath))
        {
            return;
        }

        var text = File.ReadAllText(LogPath);
        if (text.Contains(_secret, StringComparison.Ordinal))
        {
            File.WriteAllText(LogPath, text.Replace(_secret, Redacted, StringComparison.Ordinal));
        }
    }

    public void MarkFinished() => _finished.TrySetResult();
}
