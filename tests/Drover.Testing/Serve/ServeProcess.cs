using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Drover.Testing.Serve;

/// <summary>
/// One <c>drover serve</c> child process, started from the built <c>drover.dll</c> as an operator would start it
/// (<c>dotnet drover.dll serve --config … --store … --urls http://127.0.0.1:0</c>): its output is kept in a log file, its
/// address read from the <c>dashboard:</c> line, and it can be killed (SIGKILL) or stopped (SIGTERM) at any moment.
/// The test project must reference <c>src/Drover</c>, so <c>drover.dll</c> is beside the tests.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly string _logFile;
    private readonly TaskCompletionSource<Uri> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _sync = new();

    private ServeProcess(Process process, StreamWriter log, string logFile)
    {
        _process = process;
        _log = log;
        _logFile = logFile;
    }

    /// <summary>The server's root URL, once it listens.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The child's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>The exit code, once the process has ended.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>What the process printed so far (its log file).</summary>
    public string Output
    {
        get
        {
            lock (_sync)
            {
                using var reader = new FileStream(_logFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var text = new StreamReader(reader, Encoding.UTF8);
                return text.ReadToEnd();
            }
        }
    }

    /// <summary>
    /// Starts <c>drover serve</c> with <paramref name="arguments"/> (after <c>serve</c>) and <paramref name="environment"/>,
    /// appending its output to <paramref name="logFile"/>, and waits until it listens (at most <paramref name="timeout"/>).
    /// </summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logFile, TimeSpan timeout)
    {
        var drover = Path.Combine(AppContext.BaseDirectory, "drover.dll");
        if (!File.Exists(drover))
        {
            throw new FileNotFoundException($"the built drover.dll is not beside the tests ({drover})", drover);
        }

        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(logFile)!,
        };
        info.ArgumentList.Add(drover);
        info.ArgumentList.Add("serve");
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        var log = new StreamWriter(logFile, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var serve = new ServeProcess(process, log, logFile);
        process.OutputDataReceived += (_, e) => serve.Line("out", e.Data);
        process.ErrorDataReceived += (_, e) => serve.Line("err", e.Data);
        process.Exited += (_, _) => serve._address.TrySetException(new InvalidOperationException($"drover serve exited ({SafeExitCode(process)}) before it listened; see {logFile}"));
        process.Start();
        serve.Line("test", $"started drover serve, pid {process.Id}");
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            serve.Url = await serve._address.Task.WaitAsync(timeout);
        }
        catch
        {
            await serve.DisposeAsync();
            throw;
        }

        return serve;
    }

    /// <summary>kill -9: the process ends at once, whatever it was doing.</summary>
    public async Task KillAsync()
    {
        Line("test", "SIGKILL");
        Signal("KILL");
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>SIGTERM, then waits (at most <paramref name="timeout"/>, then SIGKILL) for the exit; returns the exit code and how long it took.</summary>
    public async Task<(int? ExitCode, TimeSpan Took)> TerminateAsync(TimeSpan timeout)
    {
        Line("test", "SIGTERM");
        var started = Stopwatch.GetTimestamp();
        Signal("TERM");
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return (_process.ExitCode, Stopwatch.GetElapsedTime(started));
        }
        catch (TimeoutException)
        {
            Line("test", $"no exit within {timeout.TotalSeconds:0} s of SIGTERM; SIGKILL");
            await KillAsync();
            return (null, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await KillAsync();
            }
            catch (InvalidOperationException)
            {
                // Ended meanwhile.
            }
        }

        _process.Dispose();
        lock (_sync)
        {
            _log.Dispose();
        }
    }

    private void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false })!;
        kill.WaitForExit();
    }

    private void Line(string stream, string? text)
    {
        if (text is null)
        {
            return;
        }

        lock (_sync)
        {
            try
            {
                _log.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{stream}] {text}");
            }
            catch (ObjectDisposedException)
            {
                // Output after dispose.
            }
        }

        if (stream == "out" && DashboardLine().Match(text) is { Success: true } match)
        {
            _address.TrySetResult(new Uri(match.Groups["url"].Value));
        }
    }

    private static string SafeExitCode(Process process)
    {
        try
        {
            return $"exit code {process.ExitCode}";
        }
        catch (InvalidOperationException)
        {
            return "exit code unknown";
        }
    }

    [GeneratedRegex(@"dashboard: (?<url>http://127\.0\.0\.1:\d+)/")]
    private static partial Regex DashboardLine();
}
