using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Drover.Core.Adapters;
using Drover.Core.Planning;
using Microsoft.Extensions.Logging;

namespace Drover.Providers.Process;

/// <summary>
/// Runs each runner as a child process of this host, in its own work directory <c>{workRoot}/{runnerName}/</c>, from the
/// configured command. The credential goes to the process in an environment variable (and optionally a 0600 file),
/// never on its command line and never in a log. The instance id is the runner name, which is the idempotency key.
/// A process that exits leaves the instance list; a delete kills the process tree. See <c>docs/providers/process.md</c>.
/// </summary>
internal sealed partial class ProcessProvider : IProvider, IHealthReporting, IAsyncDisposable
{
    private const int KeptExits = 256;
    private static readonly TimeSpan _drainTimeout = TimeSpan.FromSeconds(5);

    private readonly ProcessProviderSettings _settings;
    private readonly RunnerCredentialVault _vault;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, RunnerProcess> _live = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ProcessExit> _exits = new(StringComparer.Ordinal);
    private readonly Queue<string> _exitOrder = new();
    private readonly HashSet<string> _starting = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (ProviderInstance Instance, DateTimeOffset ExitedAt)> _lost = new(StringComparer.Ordinal);
    private readonly HealthRecorder _listed;
    private readonly HealthRecorder _starts;

    /// <param name="settings">The checked settings.</param>
    /// <param name="vault">Where the credentials that create requests reference wait.</param>
    /// <param name="time">The clock (instance creation times, bounded waits).</param>
    /// <param name="logger">The provider's logger; it never receives a credential.</param>
    public ProcessProvider(ProcessProviderSettings settings, RunnerCredentialVault vault, TimeProvider time, ILogger logger)
    {
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _vault = vault ?? throw new ArgumentNullException(nameof(vault));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
        _listed = new HealthRecorder(time);
        // Creates come with demand: an idle fleet makes none for hours, which says nothing about the provider.
        _starts = new HealthRecorder(time, TimeSpan.MaxValue);
    }

    /// <inheritdoc/>
    public string Name => _settings.ProviderName;

    /// <summary>How long a delete waits for the killed process to be gone before it fails.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(10);

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

    /// <summary>The process id of a live runner, or null.</summary>
    public int? ProcessId(string runnerName)
    {
        lock (_sync)
        {
            return _live.TryGetValue(runnerName, out var runner) ? runner.Process.Id : null;
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
        lock (_sync)
        {
            live = _live.Count;
        }

        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["reachable"] = "yes (processes on this host)",
            ["running"] = live.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["maxConcurrent"] = _settings.MaxConcurrent.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        var starts = _starts.Health("provider", Name, details);
        var listed = _listed.Health("provider", Name, details);
        return HealthRecorder.IsUnchecked(starts) || (starts.Status == ComponentStatus.Ok && listed.Status != ComponentStatus.Ok && !HealthRecorder.IsUnchecked(listed))
            ? listed
            : starts;
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
            if (_live.ContainsKey(name) || _exits.ContainsKey(name))
            {
                // The same create again: the first call's instance (running or ended) is the answer; drop the new credential.
                _vault.Take(request.CredentialRef);
                return Task.FromResult(name);
            }

            if (_starting.Contains(name))
            {
                throw new InvalidOperationException($"provider '{Name}': runner {name} is being started by another call");
            }

            if (_live.Count + _starting.Count >= _settings.MaxConcurrent)
            {
                throw new InvalidOperationException(
                    $"provider '{Name}' runs {_live.Count + _starting.Count} of at most {_settings.MaxConcurrent} runner processes (maxConcurrent); runner {name} not started");
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
        lock (_sync)
        {
            _live.TryGetValue(instanceId, out runner);
            _lost.Remove(instanceId);
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
        runner.Kill();
        using var timeout = new CancellationTokenSource(StopTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        try
        {
            await runner.Finished.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"provider '{Name}': runner {instanceId} (process {runner.Process.Id}) was killed but had not ended after {StopTimeout.TotalSeconds:0}s");
        }
    }

    /// <summary>How long a runner process killed from outside stays listed as lost, unless deleted before.</summary>
    public static readonly TimeSpan LostListing = TimeSpan.FromMinutes(10);

    /// <inheritdoc/>
    /// <remarks>
    /// Live runner processes, and for <see cref="LostListing"/> (or until deleted) the ones killed by a signal Drover did
    /// not send, as failed with <see cref="InstanceFailureKind.Lost"/> (<see cref="ProcessExit.KilledFromOutside"/>).
    /// </remarks>
    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        _listed.Succeeded();
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            foreach (var expired in _lost.Where(l => now - l.Value.ExitedAt >= LostListing).Select(l => l.Key).ToList())
            {
                _lost.Remove(expired);
            }

            IReadOnlyList<ProviderInstance> list = [.. _live.Values
                .Where(r => !r.Exited.IsCompleted)
                .Select(r => new ProviderInstance { Provider = Name, InstanceId = r.Name, IdempotencyKey = r.Name, Pool = r.Pool, CreatedAt = r.CreatedAt })
                .Concat(_lost.Values.Where(l => !_live.ContainsKey(l.Instance.InstanceId)).Select(l => l.Instance))
                .OrderBy(i => i.InstanceId, StringComparer.Ordinal)];
            return Task.FromResult(list);
        }
    }

    /// <summary>Kills every runner process this provider started and waits (bounded) for them to end.</summary>
    public async ValueTask DisposeAsync()
    {
        List<string> names;
        lock (_sync)
        {
            names = [.. _live.Keys];
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

        var startInfo = new ProcessStartInfo(words[0])
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var word in words.Skip(1))
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

        startInfo.Environment[variable] = secret;

        StreamWriter? log = null;
        try
        {
            Directory.CreateDirectory(directory);
            if (credentialFile is not null)
            {
                WriteCredentialFile(credentialFile, secret);
            }

            log = OpenLog(Path.Combine(directory, RunnerProcess.LogFileName));
            log.WriteLine($"== {_time.GetUtcNow():O} drover: starting runner {name} of pool {request.Pool}: {words[0]}");
            var runner = RunnerProcess.Start(name, request.Pool, directory, _time.GetUtcNow(), credential, credentialFile, log, startInfo);
            ProcessProviderLog.Started(_logger, Name, name, request.Pool, runner.Process.Id, directory);
            return runner;
        }
        catch (Exception e)
        {
            log?.Dispose();
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

    private async Task WatchAsync(RunnerProcess runner)
    {
        try
        {
            await FinishAsync(runner).ConfigureAwait(false);
        }
        finally
        {
            runner.MarkFinished();
        }
    }

    private async Task FinishAsync(RunnerProcess runner)
    {
        await runner.Exited.ConfigureAwait(false);
        using (var drain = new CancellationTokenSource(_drainTimeout, _time))
        {
            try
            {
                // Returns once the output pipes are closed too, so the log holds everything the process wrote.
                await runner.Process.WaitForExitAsync(drain.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                ProcessProviderLog.OutputNotDrained(_logger, Name, runner.Name, _drainTimeout.TotalSeconds);
            }
        }

        var exitCode = runner.Process.ExitCode;
        var deleted = runner.DeleteRequested;
        var keep = _settings.KeepLogs;
        try
        {
            runner.CloseLog();
            if (runner.CredentialFile is { } file)
            {
                File.Delete(file);
            }

            if (!keep)
            {
                RemoveDirectory(runner.Name, runner.Directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ProcessProviderLog.CleanupFailed(_logger, Name, runner.Name, e.Message);
        }

        var logPath = keep ? runner.LogPath : null;
        lock (_sync)
        {
            _live.Remove(runner.Name);
            var exit = new ProcessExit(runner.Name, runner.Pool, exitCode, _time.GetUtcNow(), deleted, logPath);
            if (exit.KilledFromOutside is { } signal)
            {
                var failure = $"runner process killed by {signal}, a signal Drover did not send (exit code {exitCode})";
                _lost[runner.Name] = (new ProviderInstance { Provider = Name, InstanceId = runner.Name, IdempotencyKey = runner.Name, Pool = runner.Pool, CreatedAt = runner.CreatedAt, Failure = failure, FailureKind = InstanceFailureKind.Lost }, exit.ExitedAt);
            }

            if (_exits.TryAdd(runner.Name, exit))
            {
                _exitOrder.Enqueue(runner.Name);
                while (_exitOrder.Count > KeptExits)
                {
                    _exits.Remove(_exitOrder.Dequeue());
                }
            }
        }

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
