using System.Diagnostics;
using System.Text.RegularExpressions;
using Drover.Testing;

namespace Drover.EndToEnd.Tests.Support;

/// <summary>
/// <c>drover serve</c> as a real child process (<c>dotnet drover.dll serve ...</c>, the build referenced by this test
/// project), so a test can kill it with SIGKILL or stop it with SIGTERM as an operator or a kubelet would.
/// </summary>
internal sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];

    private ServeProcess(Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public Uri? Url { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join("\n", _output);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <c>drover serve</c> with <paramref name="arguments"/> and waits until it prints its dashboard URL.</summary>
    public static async Task<ServeProcess> StartAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "drover.dll"));
        start.ArgumentList.Add("serve");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var serve = new ServeProcess(Process.Start(start)!);
        serve._process.OutputDataReceived += (_, e) => serve.Collect(e.Data);
        serve._process.ErrorDataReceived += (_, e) => serve.Collect(e.Data);
        serve._process.BeginOutputReadLine();
        serve._process.BeginErrorReadLine();
        await Eventually.TrueAsync(() => serve.Url is not null || serve.HasExited, "drover serve prints its dashboard URL", TimeSpan.FromSeconds(60), seen: () => serve.Output);
        if (serve.Url is null)
        {
            throw new InvalidOperationException($"drover serve exited with {serve.ExitCode}:\n{serve.Output}");
        }

        return serve;
    }

    /// <summary>SIGKILL: the process dies at once, with no chance to clean up.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM; waits for the exit (at most <paramref name="limit"/>) and returns how long it took.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan limit)
    {
        var started = TimeProvider.System.GetTimestamp();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(limit);
        await _process.WaitForExitAsync(timeout.Token);
        return TimeProvider.System.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Collect(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (Url is null && DashboardLine().Match(line) is { Success: true } match)
        {
            Url = new Uri(match.Groups[1].Value);
        }
    }

    [GeneratedRegex(@"^dashboard: (http://\S+?)/?$")]
    private static partial Regex DashboardLine();
}
