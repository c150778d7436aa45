using System.Diagnostics;
using Drover.Core.Adapters;

namespace Drover.Providers.Process;

/// <summary>
/// One running runner: the child process, its work directory and its output log. Output lines (stdout and stderr)
/// are appended to <c>runner.log</c> with the credential's value replaced by <c>***</c> wherever it appears.
/// </summary>
internal sealed class RunnerProcess
{
    public const string LogFileName = "runner.log";
    public const string CredentialFileName = ".credential";
    private const string Redacted = "***";

    private readonly Lock _logSync = new();
    private readonly string _secret;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private StreamWriter? _log;
    private int _deleteRequested;

    private RunnerProcess(string name, string pool, string directory, DateTimeOffset createdAt, RunnerCredential credential, string? credentialFile, StreamWriter log, System.Diagnostics.Process process)
    {
        Name = name;
        Pool = pool;
        Directory = directory;
        CreatedAt = createdAt;
        CredentialFile = credentialFile;
        _secret = credential.Reveal();
        _log = log;
        Process = process;
    }

    public string Name { get; }

    public string Pool { get; }

    public string Directory { get; }

    public string LogPath => Path.Combine(Directory, LogFileName);

    public string? CredentialFile { get; }

    public DateTimeOffset CreatedAt { get; }

    public System.Diagnostics.Process Process { get; }

    /// <summary>Completes when the process has exited (output may still be draining).</summary>
    public Task Exited => _exited.Task;

    /// <summary>Completes once the provider has finished with the process: exit recorded, files cleaned up.</summary>
    public Task Finished => _finished.Task;

    public bool DeleteRequested => Volatile.Read(ref _deleteRequested) == 1;

    /// <summary>
    /// Starts <paramref name="startInfo"/> (which must redirect stdout, stderr and stdin) with its output going to
    /// <paramref name="log"/>. The caller keeps the credential out of the start info's arguments.
    /// </summary>
    public static RunnerProcess Start(string name, string pool, string directory, DateTimeOffset createdAt, RunnerCredential credential, string? credentialFile, StreamWriter log, ProcessStartInfo startInfo)
    {
        var process = new System.Diagnostics.Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var runner = new RunnerProcess(name, pool, directory, createdAt, credential, credentialFile, log, process);
        process.OutputDataReceived += (_, e) => runner.Append(e.Data);
        process.ErrorDataReceived += (_, e) => runner.Append(e.Data);
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

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (process.HasExited)
        {
            runner._exited.TrySetResult();
        }

        return runner;
    }

    /// <summary>Marks the process as being deleted; true for the first caller.</summary>
    public bool RequestDelete() => Interlocked.Exchange(ref _deleteRequested, 1) == 0;

    /// <summary>Kills the process and everything it started.</summary>
    public void Kill()
    {
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

    /// <summary>Closes the log; later output is dropped.</summary>
    public void CloseLog()
    {
        lock (_logSync)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    public void MarkFinished() => _finished.TrySetResult();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_logSync)
        {
            _log?.WriteLine(line.Replace(_secret, Redacted, StringComparison.Ordinal));
        }
    }
}
