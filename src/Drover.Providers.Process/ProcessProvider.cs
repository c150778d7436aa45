using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Drover.Core.Adapters;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Process;

/// <summary>
/// Runs each runner as a process of this host, in its own work directory <c>{workRoot}/{runnerName}/</c>, from the
/// configured command, in a session and process group of its own, writing its output to <c>runner.log</c> itself. The
/// credential goes to the process in an environment variable (and optionally a 0600 file), never on its command line and
/// never in a log. The instance id is the runner name, which is the idempotency key. Every runner is recorded in a
/// registry on disk (<see cref="RunnerRegistry"/>) before it starts; a later Drover process adopts the ones still
/// running (same process id and start time) and reports the others gone. A process that exits leaves the instance list
/// (and the engine is told at once); a delete sends SIGTERM to the runner's process group, then SIGKILL after a grace.
/// See <c>docs/providers/process.md</c>.
/// </summary>
internal sealed partial class ProcessProvider : IProvider, IHealthReporting, IInstanceChangeSource, IAsyncDisposable
{
    private const int KeptExits = 256;
    /// <summary>
    /// The launcher: <c>/bin/sh</c> opens the log as its own and so the runner's stdout and stderr (and <c>/dev/null</c>
    /// as stdin: nothing of Drover's output, a pipe to a log collector say, is held open by a runner), runs the command
    /// and waits for it, then writes its exit status (128 + the signal when it was killed) to
    /// <see cref="RunnerProcess.ExitStatusFileName"/> and exits with it. So the way a runner ended is known also to a
    /// later Drover process that adopted it, or that found it ended while none watched (the kernel tells an exit status
    /// to the parent alone). The launcher leads the runner's process group; it ignores SIGTERM, SIGINT and SIGHUP (the
    /// runner, in the same group, gets them and ends; a trapped signal is not inherited, so the runner still can) and
    /// only SIGKILL ends it before the runner.
    /// </summary>
    private const string Launcher = "exec </dev/null >>" + RunnerProcess.LogFileName + " 2>&1\ntrap : TERM INT HUP\n\"$@\"\nstatus=$?\nprintf '%s\\n' \"$status\" >" + RunnerProcess.ExitStatusFileName + "\nexit \"$status\"\n";
    private static readonly TimeSpan _pollInterval = TimeSpan.FromMilliseconds(50);

    private readonly ProcessProviderSettings _settings;
    private readonly RunnerCredentialVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RunnerRegistry _registry;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, RunnerProcess> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AdoptedProcess> _adopted = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessExit> _exits = new(StringComparer.Ordinal);
    private int _detached;
    private readonly Queue<string> _exitOrder = new();
    private readonly HashSet<string> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ProviderInstance Instance, DateTimeOffset ExitedAt)> _lost = new(StringComparer.Ordinal);
    private readonly HealthRecorder _listed;
    private readonly HealthRecorder _starts;

    /// <param name="settings">The checked settings.</param>
    /// <param name="vault">Where the credentials that create requests reference wait.</param>
    /// <param name="time">The clock (instance creation times, bounded waits).</param>
    /// <param name="logger">The provider's logger; it never receives a credential.</param>
    /// <exception cref="IOException">The state directory cannot be created or read.</exception>
    public ProcessProvider(ProcessProviderSettings settings, RunnerCredentialVault vault, TimeProvider time, ILogger logger)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _listed = new HealthRecorder(time);
        // Creates come with demand: an idle fleet makes none for hours, which says nothing about the provider.
        _starts = new HealthRecorder(time, TimeSpan.MaxValue);
        _registry = new RunnerRegistry(settings.StateDirectory ?? ProcessProviderSettings.DefaultStateDirectory(settings.ProviderName, settings.WorkRoot, null));
        Adopt();
    }

    /// <inheritdoc/>
    public string Name => _settings.ProviderName;

    /// <inheritdoc/>
    /// <remarks>Runner processes end with this host: no replica elsewhere can adopt them.</remarks>
    public bool InstancesAreHostBound => true;

    /// <inheritdoc/>
    public event Action? InstancesChanged;

    /// <summary>How long a delete waits, after SIGTERM, for the runner to end before it sends SIGKILL. Default 5 s.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a delete waits, after SIGKILL, for the process to be gone before it fails.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Where the registry of runner processes lives.</summary>
    public string StateDirectory => _registry.Directory;

    /// <summary>How recently ended runners ended (the last 256), for diagnostics.</summary>
    public IReadOnlyList<ProcessExit> RecentExits
    {
        get
        {
            lock (_sync)
            {
                return [.. _exitOrder.Select(n => _exits[n])];
            }
        }
    }

    /// <summary>The names of the runners adopted at start-up that still run.</summary>
    public IReadOnlyList<string> Adopted
    {
        get
        {
            lock (_sync)
            {
                return [.. _adopted.Keys.Order(StringComparer.Ordinal)];
            }
        }
    }

    /// <summary>The process id of a live runner (started or adopted), or null.</summary>
    public int? ProcessId(string runnerName)
    {
        lock (_sync)
        {
            return _live.TryGetValue(runnerName, out var runner) ? runner.ProcessId
                : _adopted.TryGetValue(runnerName, out var adopted) ? adopted.ProcessId
                : null;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">
    /// <c>maxConcurrent</c> processes already run, the credential cannot be resolved, or the command cannot be started.
    /// </exception>
    public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var created = Create(request);
            _starts.Succeeded();
            return created;
        }
        catch (Exception e)
        {
            _starts.Failed(e);
            throw;
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// From the calls it served: whether its runner processes start (a create that could not start one is a failure;
    /// three in a row make it down) and whether runners could be stopped; before any create, from the lists it
    /// answered (it runs on this host, so it is reachable while Drover runs).
    /// </remarks>
    public ComponentHealth Health()
    {
        int live;
        int adopted;
        lock (_sync)
        {
            live = _live.Count;
            adopted = _adopted.Count;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reachable"] = "yes (processes on this host)",
            ["running"] = (live + adopted).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["adopted"] = adopted.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maxConcurrent"] = _settings.MaxConcurrent.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var starts = _starts.Health("provider", Name, details);
        var listed = _listed.Health("provider", Name, details);
        return HealthRecorder.IsUnchecked(starts) || (starts.Status == ComponentStatus.Ok && listed.Status != ComponentStatus.Ok && !HealthRecorder.IsUnchecked(listed))
            ? listed
            : starts;
    }

    /// <summary>
    /// Reads the registry: a runner whose recorded process still runs (same id, same start time) is adopted; one that
    /// was being started when an earlier Drover process died is looked for by the marker in its environment; every other
    /// record is of a runner that ended while no Drover process watched it, and is reported gone and cleaned up.
    /// </summary>
    private void Adopt()
    {
        var records = _registry.List(out var unreadable);
        foreach (var file in unreadable)
        {
            ProcessProviderLog.RegistryUnreadable(_logger, Name, Path.Combine(_registry.Directory, file));
        }

        foreach (var found in records)
        {
            var record = found;
            if (record is { LostExitCode: { } lostCode })
            {
                // Killed from outside before this process started: listed as lost for what is left of LostListing.
                var endedAt = record.EndedAt ?? _time.GetUtcNow();
                if (_time.GetUtcNow() - endedAt < LostListing)
                {
                    var kept = Path.Combine(_settings.WorkRoot, record.Name, RunnerProcess.LogFileName);
                    RecordExit(new ProcessExit(record.Name, record.Pool, lostCode, endedAt, false, _settings.KeepLogs && File.Exists(kept) ? kept : null), record.CreatedAt);
                }
                else
                {
                    _registry.Remove(record.Name);
                }

                continue;
            }

            if (record.ProcessId is null || record.StartTime is null)
            {
                if (HostProcesses.FindByMarker(Marker(record.Name)) is { } running)
                {
                    record = record with { ProcessId = running.Pid, StartTime = running.StartTime };
                    _registry.Write(record);
                }
            }

            var directory = Path.Combine(_settings.WorkRoot, record.Name);
            if (record is { ProcessId: { } pid, StartTime: { } started } && HostProcesses.IsRunning(pid, started))
            {
                _adopted[record.Name] = new AdoptedProcess(record, directory);
                ProcessProviderLog.Adopted(_logger, Name, record.Name, record.Pool, pid);
                continue;
            }

            var logPath = _settings.KeepLogs && File.Exists(Path.Combine(directory, RunnerProcess.LogFileName)) ? Path.Combine(directory, RunnerProcess.LogFileName) : null;
            var exit = new ProcessExit(record.Name, record.Pool, ProcessExit.Read(directory), _time.GetUtcNow(), false, logPath);
            var exitCode = exit.ExitCode;
            Cleanup(record.Name, directory, Path.Combine(directory, RunnerProcess.CredentialFileName));
            EndRecord(exit, record.CreatedAt);
            RecordExit(exit, record.CreatedAt);
            ProcessProviderLog.EndedUnwatched(_logger, Name, record.Name, exitCode, logPath ?? "removed (keepLogs: false)");
        }
    }

    private Task<string> Create(InstanceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.IdempotencyKey;
        if (!RunnerName().IsMatch(name))
        {
            throw new ArgumentException($"provider '{Name}': runner name '{name}' cannot name a directory (letters, digits, '.', '_', '-'; at most 128)", nameof(request));
        }

        lock (_sync)
        {
            if (_live.ContainsKey(name) || _adopted.ContainsKey(name) || _exits.ContainsKey(name))
            {
                // The same create again: the first call's instance (running, adopted or ended) is the answer; drop the new credential.
                _vault.Take(request.CredentialRef);
                return Task.FromResult(name);
            }

            if (_starting.Contains(name))
            {
                throw new InvalidOperationException($"provider '{Name}': runner {name} is being started by another call");
            }

            var running = _live.Count + _adopted.Count + _starting.Count;
            if (running >= _settings.MaxConcurrent)
            {
                throw new InvalidOperationException(
                    $"provider '{Name}' runs {running} of at most {_settings.MaxConcurrent} runner processes (maxConcurrent); runner {name} not started");
            }

            _starting.Add(name);
        }

        try
        {
            var credential = _vault.Take(request.CredentialRef)
                ?? throw new InvalidOperationException($"provider '{Name}': credential reference {request.CredentialRef} cannot be resolved");
            try
            {
                var runner = Start(request, credential);
                lock (_sync)
                {
                    _live[name] = runner;
                    _starting.Remove(name);
                }

                _ = WatchAsync(runner);
                return Task.FromResult(name);
            }
            catch
            {
                // Give the credential back so that a retried call can still start the runner.
                if (_vault.Put(name, credential) != request.CredentialRef)
                {
                    _vault.Remove(name);
                }

                throw;
            }
        }
        finally
        {
            lock (_sync)
            {
                _starting.Remove(name);
            }
        }
    }

    /// <inheritdoc/>
    /// <exception cref="TimeoutException">The killed process was not gone within <see cref="StopTimeout"/>.</exception>
    public async Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            await DeleteCoreAsync(instanceId, cancellationToken).ConfigureAwait(false);
            _starts.Succeeded();
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            _starts.Failed(e);
            throw;
        }
    }

    private async Task DeleteCoreAsync(string instanceId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        RunnerProcess? runner;
        AdoptedProcess? adopted;
        bool lost;
        lock (_sync)
        {
            _live.TryGetValue(instanceId, out runner);
            lost = _lost.Remove(instanceId);
            _adopted.TryGetValue(instanceId, out adopted);
        }

        if (lost)
        {
            // Its record was kept so a restart would list it lost; deleted, it is forgotten.
            _registry.Remove(instanceId);
        }

        if (adopted is not null)
        {
            await StopAdoptedAsync(adopted, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (runner is null)
        {
            if (!_settings.KeepLogs && RunnerName().IsMatch(instanceId))
            {
                RemoveDirectory(instanceId, Path.Combine(_settings.WorkRoot, instanceId));
            }

            return;
        }

        runner.RequestDelete();
        runner.Terminate();
        using (var grace = new CancellationTokenSource(StopGrace, _time))
        using (var graceOrCaller = CancellationTokenSource.CreateLinkedTokenSource(grace.Token, cancellationToken))
        {
            try
            {
                await runner.Exited.WaitAsync(graceOrCaller.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Did not end on SIGTERM: killed below.
            }
        }

        // Also whatever of its group or tree is left (a child that ignored SIGTERM).
        runner.Kill();
        using var timeout = new CancellationTokenSource(StopTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await runner.Finished.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"provider '{Name}': runner {instanceId} (process {runner.ProcessId}) was killed but had not ended after {StopTimeout.TotalSeconds:0}s");
        }
    }

    /// <summary>How long a runner process killed from outside stays listed as lost, unless deleted before.</summary>
    public static readonly TimeSpan LostListing = TimeSpan.FromMinutes(10);

    /// <summary>SIGTERM to the adopted runner's process group, SIGKILL after the grace, then forgets it.</summary>
    private async Task StopAdoptedAsync(AdoptedProcess adopted, CancellationToken cancellationToken)
    {
        var name = adopted.Record.Name;
        HostProcesses.TerminateGroup(adopted.ProcessId);
        if (!await WaitUntilEndedAsync(adopted, StopGrace, cancellationToken).ConfigureAwait(false))
        {
            HostProcesses.KillGroup(adopted.ProcessId);
            if (!await WaitUntilEndedAsync(adopted, StopTimeout, cancellationToken).ConfigureAwait(false))
            {
                throw new TimeoutException($"provider '{Name}': runner {name} (process {adopted.ProcessId}) was killed but had not ended after {StopTimeout.TotalSeconds:0}s");
            }
        }

        // The rest of its process group, should the runner itself have ended first.
        HostProcesses.KillGroup(adopted.ProcessId);
        ForgetAdopted(adopted, deleted: true);
    }

    private async Task<bool> WaitUntilEndedAsync(AdoptedProcess adopted, TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = _time.GetUtcNow() + limit;
        while (adopted.IsRunning)
        {
            if (_time.GetUtcNow() >= deadline)
            {
                return false;
            }

            await Task.Delay(_pollInterval, _time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>An adopted runner ended (deleted or on its own): cleans up, records the exit, tells the engine.</summary>
    private void ForgetAdopted(AdoptedProcess adopted, bool deleted)
    {
        var name = adopted.Record.Name;
        lock (_sync)
        {
            if (!_adopted.Remove(name))
            {
                return;
            }
        }

        var logPath = _settings.KeepLogs ? Path.Combine(adopted.Directory, RunnerProcess.LogFileName) : null;
        var exit = new ProcessExit(name, adopted.Record.Pool, ProcessExit.Read(adopted.Directory), _time.GetUtcNow(), deleted, logPath);
        var exitCode = exit.ExitCode;
        Cleanup(name, adopted.Directory, Path.Combine(adopted.Directory, RunnerProcess.CredentialFileName));
        EndRecord(exit, adopted.Record.CreatedAt);
        RecordExit(exit, adopted.Record.CreatedAt);
        if (deleted)
        {
            ProcessProviderLog.Stopped(_logger, Name, name, exitCode, logPath ?? "removed");
        }
        else
        {
            ProcessProviderLog.Exited(_logger, Name, name, exitCode, logPath ?? "removed (keepLogs: false)");
        }

        InstancesChanged?.Invoke();
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Live runner processes, and for <see cref="LostListing"/> (or until deleted) the ones killed by a signal Drover did
    /// not send, as failed with <see cref="InstanceFailureKind.Lost"/> (<see cref="ProcessExit.KilledFromOutside"/>).
    /// </remarks>
    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        _listed.Succeeded();
        var now = _time.GetUtcNow();
        List<AdoptedProcess> adopted;
        lock (_sync)
        {
            adopted = [.. _adopted.Values];
        }

        // Adopted processes are not this process's children: their exits are noticed here.
        foreach (var ended in adopted.Where(a => !a.IsRunning))
        {
            ForgetAdopted(ended, deleted: false);
        }

        List<string> expired;
        lock (_sync)
        {
            expired = [.. _lost.Where(l => now - l.Value.ExitedAt >= LostListing).Select(l => l.Key)];
            foreach (var name in expired)
            {
                _lost.Remove(name);
            }
        }

        foreach (var name in expired)
        {
            _registry.Remove(name);
        }

        lock (_sync)
        {

            IReadOnlyList<ProviderInstance> list = [.. _live.Values
                .Where(r => !r.Exited.IsCompleted)
                .Select(r => new ProviderInstance { Provider = Name, InstanceId = r.Name, IdempotencyKey = r.Name, Pool = r.Pool, CreatedAt = r.CreatedAt })
                .Concat(_lost.Values.Where(l => !_live.ContainsKey(l.Instance.InstanceId)).Select(l => l.Instance))
                .Concat(_adopted.Values.Select(a => new ProviderInstance { Provider = Name, InstanceId = a.Record.Name, IdempotencyKey = a.Record.Name, Pool = a.Record.Pool, CreatedAt = a.Record.CreatedAt }))
                .OrderBy(i => i.InstanceId, StringComparer.Ordinal)];
            return Task.FromResult(list);
        }
    }

    /// <summary>
    /// Leaves the runner registry to another instance (tests only): as if this Drover process had died, its runners'
    /// exits no longer write or remove their records, which a restarted provider on the same state directory owns now.
    /// </summary>
    internal void Detach() => Volatile.Write(ref _detached, 1);

    /// <summary>Stops every runner process this provider started or adopted and waits (bounded) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<string> names;
        lock (_sync)
        {
            names = [.. _live.Keys, .. _adopted.Keys];
        }

        foreach (var name in names)
        {
            try
            {
                await DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException e)
            {
                ProcessProviderLog.CleanupFailed(_logger, Name, name, e.Message);
            }
        }
    }

    /// <summary>
    /// The runner's marker: its work directory, which no other runner on this host can share (two Drover installations
    /// with the same provider and runner names each have their own <c>workRoot</c>).
    /// </summary>
    private string Marker(string runnerName) => Path.Combine(_settings.WorkRoot, runnerName);

    private RunnerProcess Start(InstanceRequest request, RunnerCredential credential)
    {
        var name = request.IdempotencyKey;
        var variable = _settings.RegistrationEnv ?? ProcessProviderSettings.DefaultRegistrationEnv(credential.Kind)
            ?? throw new InvalidOperationException(
                $"provider '{Name}': no default variable for a credential of kind '{credential.Kind}'; set providers[{Name}].settings.registrationEnv");
        var directory = Path.Combine(_settings.WorkRoot, name);
        var credentialFile = _settings.RegistrationFile ? Path.Combine(directory, RunnerProcess.CredentialFileName) : null;
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["runnerDir"] = directory,
            ["runnerName"] = name,
            ["pool"] = request.Pool,
            ["credentialFile"] = credentialFile ?? string.Empty,
        };
        var words = _settings.CommandWords.Select(w => CommandTemplate.Expand(w, values)).ToList();
        var secret = credential.Reveal();
        if (words.Any(w => w.Contains(secret, StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"provider '{Name}': the command line of runner {name} would contain its credential; not started");
        }

        // setsid: a session and process group of its own, so a delete reaches everything it started and nothing of
        // Drover's; the process recorded is the launcher (see Launcher), which leads that group and outlives the runner
        // only to write how it ended.
        var startInfo = new ProcessStartInfo(HostProcesses.SetSid ?? "/bin/sh")
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
        };
        if (HostProcesses.SetSid is not null)
        {
            startInfo.ArgumentList.Add("/bin/sh");
        }

        foreach (var word in (string[])["-c", Launcher, "drover-runner", .. words])
        {
            startInfo.ArgumentList.Add(word);
        }

        startInfo.Environment.Clear();
        foreach (var inherited in ProcessProviderSettings.InheritedVariables)
        {
            if (Environment.GetEnvironmentVariable(inherited) is { } value)
            {
                startInfo.Environment[inherited] = value;
            }
        }

        foreach (var (key, value) in _settings.Environment)
        {
            startInfo.Environment[key] = CommandTemplate.Expand(value, values);
        }

        startInfo.Environment[HostProcesses.MarkerVariable] = Marker(name);
        startInfo.Environment[variable] = secret;

        var createdAt = _time.GetUtcNow();
        var recorded = false;
        try
        {
            Directory.CreateDirectory(directory);
            if (Resolve(words[0], directory, startInfo.Environment.TryGetValue("PATH", out var path) ? path : null) is { } problem)
            {
                throw new InvalidOperationException($"provider '{Name}': cannot start runner {name} with '{words[0]}': {problem}");
            }

            if (credentialFile is not null)
            {
                WriteCredentialFile(credentialFile, secret);
            }

            using (var log = OpenLog(Path.Combine(directory, RunnerProcess.LogFileName)))
            {
                log.WriteLine($"== {createdAt:O} drover: starting runner {name} of pool {request.Pool}: {words[0]}");
            }

            // Recorded before it starts: a crash between the start and the next write is found again by the marker.
            _registry.Write(new RunnerRecord(name, request.Pool, createdAt, null, null));
            recorded = true;
            var runner = RunnerProcess.Start(name, request.Pool, directory, createdAt, credential, credentialFile, startInfo, HostProcesses.SetSid is not null);
            _registry.Write(new RunnerRecord(name, request.Pool, createdAt, runner.ProcessId, HostProcesses.StartTime(runner.ProcessId)));
            ProcessProviderLog.Started(_logger, Name, name, request.Pool, runner.ProcessId, directory);
            return runner;
        }
        catch (Exception e)
        {
            if (recorded)
            {
                _registry.Remove(name);
            }

            if (credentialFile is not null && Directory.Exists(directory))
            {
                File.Delete(credentialFile);
            }

            if (!_settings.KeepLogs)
            {
                RemoveDirectory(name, directory);
            }

            if (e is Win32Exception or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"provider '{Name}': cannot start runner {name} with '{words[0]}': {e.Message}", e);
            }

            throw;
        }
    }

    /// <summary>
    /// Why <paramref name="program"/> cannot be run (as the shell would look it up: a path with a <c>/</c> from the
    /// runner's directory, a bare name on <paramref name="path"/>), or null when it can.
    /// </summary>
    private static string? Resolve(string program, string directory, string? path)
    {
        if (program.Length == 0)
        {
            return "the command is empty";
        }

        var candidates = program.Contains('/', StringComparison.Ordinal)
            ? [Path.Combine(directory, program)]
            : (path ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, program)).ToArray();
        var found = candidates.FirstOrDefault(File.Exists);
        if (found is null)
        {
            return "No such file or directory";
        }

        return OperatingSystem.IsWindows() || (File.GetUnixFileMode(found) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0
            ? null
            : "Permission denied (not executable)";
    }

    private async Task WatchAsync(RunnerProcess runner)
    {
        try
        {
            await FinishAsync(runner).ConfigureAwait(false);
        }
        finally
        {
            runner.MarkFinished();
            InstancesChanged?.Invoke();
        }
    }

    private async Task FinishAsync(RunnerProcess runner)
    {
        await runner.Exited.ConfigureAwait(false);
        await runner.Process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        if (runner.OwnGroup)
        {
            // Whatever the runner left in its process group ends with it.
            HostProcesses.KillGroup(runner.ProcessId);
        }

        var exitCode = runner.Process.ExitCode;
        var deleted = runner.DeleteRequested;
        var keep = _settings.KeepLogs;
        var exit = new ProcessExit(runner.Name, runner.Pool, exitCode, _time.GetUtcNow(), deleted, keep ? runner.LogPath : null);
        try
        {
            if (keep)
            {
                runner.RedactLog();
            }

            Cleanup(runner.Name, runner.Directory, runner.CredentialFile);
            EndRecord(exit, runner.CreatedAt);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProcessProviderLog.CleanupFailed(_logger, Name, runner.Name, e.Message);
        }

        var logPath = exit.LogPath;
        lock (_sync)
        {
            _live.Remove(runner.Name);
        }

        RecordExit(exit, runner.CreatedAt);
        if (deleted)
        {
            ProcessProviderLog.Stopped(_logger, Name, runner.Name, exitCode, logPath ?? "removed");
        }
        else
        {
            ProcessProviderLog.Exited(_logger, Name, runner.Name, exitCode, logPath ?? "removed (keepLogs: false)");
        }

        runner.Process.Dispose();
    }

    /// <summary>
    /// The runner's record once its process ended: removed, or — for a runner killed from outside — kept with the exit
    /// (<see cref="RunnerRecord.LostExitCode"/>), so a Drover process started before the runner is deleted lists it as
    /// lost too.
    /// </summary>
    private void EndRecord(ProcessExit exit, DateTimeOffset createdAt)
    {
        if (Volatile.Read(ref _detached) == 1)
        {
            return;
        }

        if (exit.KilledFromOutside is not null)
        {
            _registry.Write(new RunnerRecord(exit.RunnerName, exit.Pool, createdAt, null, null, exit.ExitCode, exit.ExitedAt));
        }
        else
        {
            _registry.Remove(exit.RunnerName);
        }
    }

    /// <summary>Keeps <paramref name="exit"/> for <see cref="RecentExits"/>; one killed from outside is listed as lost for <see cref="LostListing"/>.</summary>
    private void RecordExit(ProcessExit exit, DateTimeOffset createdAt)
    {
        lock (_sync)
        {
            if (exit.KilledFromOutside is { } signal)
            {
                var failure = $"runner process killed by {signal}, a signal Drover did not send (exit code {exit.ExitCode})";
                _lost[exit.RunnerName] = (new ProviderInstance { Provider = Name, InstanceId = exit.RunnerName, IdempotencyKey = exit.RunnerName, Pool = exit.Pool, CreatedAt = createdAt, Failure = failure, FailureKind = InstanceFailureKind.Lost }, exit.ExitedAt);
            }

            if (_exits.TryAdd(exit.RunnerName, exit))
            {
                _exitOrder.Enqueue(exit.RunnerName);
                while (_exitOrder.Count > KeptExits)
                {
                    _exits.Remove(_exitOrder.Dequeue());
                }
            }
        }
    }

    /// <summary>Deletes the credential file and, unless <c>keepLogs</c>, the work directory.</summary>
    private void Cleanup(string runnerName, string directory, string? credentialFile)
    {
        try
        {
            if (credentialFile is not null && File.Exists(credentialFile))
            {
                File.Delete(credentialFile);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProcessProviderLog.CleanupFailed(_logger, Name, runnerName, e.Message);
        }

        if (!_settings.KeepLogs)
        {
            RemoveDirectory(runnerName, directory);
        }
    }

    private void RemoveDirectory(string runnerName, string directory)
    {
        try
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProcessProviderLog.CleanupFailed(_logger, Name, runnerName, e.Message);
        }
    }

    private static void WriteCredentialFile(string path, string secret)
    {
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(secret);
    }

    private static StreamWriter OpenLog(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.ReadWrite | FileShare.Delete };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new StreamWriter(new FileStream(path, options)) { AutoFlush = true };
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex RunnerName();
}
