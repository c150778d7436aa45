using System.Diagnostics;
using System.Text;
using Drover.Core.Adapters;

namespace Drover.Providers.External;

/// <summary>
/// Runs a GARM external provider executable the way GARM does (<c>garm-provider-common/util/exec</c>): no arguments,
/// a clean environment holding only the <c>GARM_*</c> variables, the configured pass-through prefixes and the proxy
/// variables, a JSON document on stdin, stdout and stderr captured. Unlike GARM, every call has a deadline, and on
/// expiry the whole process tree is killed, not only the direct child.
/// </summary>
internal sealed class ExternalExecutable
{
    /// <summary>The most of stdout kept: a listing of many instances fits, a runaway writer does not fill memory.</summary>
    public const int MaxStdout = 4 * 1024 * 1024;

    /// <summary>The most of stderr kept (its end, where a failure is usually said).</summary>
    public const int MaxStderr = 16 * 1024;

    /// <summary>How long after the executable exited its output pipes may stay open (held by a child it left running).</summary>
    public static readonly TimeSpan PipeGrace = TimeSpan.FromSeconds(2);

    private static readonly string[] ProxyVariables = ["http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"];
    private readonly string _path;
    private readonly IReadOnlyList<string> _passPrefixes;
    private readonly Func<string, string?> _hostEnvironment;
    private readonly Func<IEnumerable<string>> _hostVariableNames;
    private readonly TimeProvider _time;

    /// <param name="path">The executable (absolute).</param>
    /// <param name="passPrefixes">Names of Drover's own variables starting with one of these are passed on (never <c>GARM_*</c>).</param>
    /// <param name="time">The clock deadlines run on.</param>
    /// <param name="hostEnvironment">Drover's environment (tests replace it).</param>
    public ExternalExecutable(string path, IReadOnlyList<string> passPrefixes, TimeProvider time, IReadOnlyDictionary<string, string>? hostEnvironment = null)
    {
        _path = path;
        _passPrefixes = passPrefixes;
        _time = time;
        if (hostEnvironment is null)
        {
            _hostEnvironment = System.Environment.GetEnvironmentVariable;
            _hostVariableNames = () => System.Environment.GetEnvironmentVariables().Keys.Cast<string>();
        }
        else
        {
            _hostEnvironment = hostEnvironment.GetValueOrDefault;
            _hostVariableNames = () => hostEnvironment.Keys;
        }
    }

    /// <summary>The executable's path.</summary>
    public string Path => _path;

    /// <summary>The environment a call gets: <paramref name="garm"/> and what passes from Drover's own.</summary>
    public IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string> garm)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in _hostVariableNames())
        {
            if (name.StartsWith("GARM", StringComparison.Ordinal))
            {
                continue;
            }

            if ((ProxyVariables.Contains(name, StringComparer.Ordinal) || _passPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)))
                && _hostEnvironment(name) is { } value)
            {
                environment[name] = value;
            }
        }

        foreach (var (name, value) in garm)
        {
            environment[name] = value;
        }

        return environment;
    }

    /// <summary>
    /// Runs the executable with <paramref name="garm"/> (<c>GARM_COMMAND</c> and the rest) and <paramref name="stdin"/>,
    /// waiting at most <paramref name="timeout"/>.
    /// </summary>
    /// <exception cref="ExternalProviderException">It could not be started, or it ran past its deadline (its process tree is then killed).</exception>
    public async Task<ExternalCall> RunAsync(IReadOnlyDictionary<string, string> garm, string? stdin, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var command = garm.GetValueOrDefault("GARM_COMMAND") ?? string.Empty;
        var start = new ProcessStartInfo(_path)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = System.IO.Path.GetDirectoryName(_path) ?? "/",
        };
        start.Environment.Clear();
        foreach (var (name, value) in Environment(garm))
        {
            start.Environment[name] = value;
        }

        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new ExternalProviderException($"{command}: cannot run {_path}: {e.Message}", CallFailureKind.Configuration);
        }

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var stdout = ReadAsync(process.StandardOutput, MaxStdout, keepEnd: false);
        var stderr = ReadAsync(process.StandardError, MaxStderr, keepEnd: true);
        try
        {
            try
            {
                if (stdin is not null)
                {
                    await process.StandardInput.WriteAsync(stdin.AsMemory(), linked.Token).ConfigureAwait(false);
                }

                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited without reading its input; its exit code says why.
            }

            await process.WaitForExitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            var said = await SettleAsync(stderr).ConfigureAwait(false);
            if (!cancellationToken.IsCancellationRequested)
            {
                throw new ExternalProviderException(
                    $"{command}: {_path} did not finish within {Seconds(timeout)}; its process tree was killed" + (said.Length > 0 ? $"; stderr: {said}" : string.Empty));
            }

            throw;
        }

        return new ExternalCall(command, process.ExitCode, await SettleAsync(stdout).ConfigureAwait(false), await SettleAsync(stderr).ConfigureAwait(false));
    }

    private async Task<string> SettleAsync(Task<string> reading)
    {
        using var grace = new CancellationTokenSource(PipeGrace, _time);
        try
        {
            return await reading.WaitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return string.Empty;
        }
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " s";

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // It ended meanwhile.
        }
    }

    /// <summary>Reads a stream to its end, keeping at most <paramref name="limit"/> characters (its start or its end).</summary>
    private static async Task<string> ReadAsync(StreamReader reader, int limit, bool keepEnd)
    {
        var kept = new StringBuilder();
        var buffer = new char[8192];
        var truncated = false;
        int read;
        while ((read = await reader.ReadAsync(buffer.AsMemory()).ConfigureAwait(false)) > 0)
        {
            if (keepEnd)
            {
                kept.Append(buffer, 0, read);
                if (kept.Length > limit)
                {
                    kept.Remove(0, kept.Length - limit);
                    truncated = true;
                }
            }
            else if (kept.Length < limit)
            {
                kept.Append(buffer, 0, Math.Min(read, limit - kept.Length));
            }
        }

        return truncated ? "…" + kept : kept.ToString();
    }
}
