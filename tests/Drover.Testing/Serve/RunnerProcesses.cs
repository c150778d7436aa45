using System.Globalization;
using System.Text;

namespace Drover.Testing.Serve;

/// <summary>
/// Runner processes on this host found in <c>/proc</c> — by a run's unique marker (an extra word on their command
/// line) or by their working directory — whoever started them: a test does not trust Drover's own account of its
/// children.
/// </summary>
public static class RunnerProcesses
{
    /// <summary>A live process carrying <paramref name="marker"/> on its command line: pid, command line and work directory (the runner's name is its last part).</summary>
    public sealed record Found(int ProcessId, string CommandLine, string? WorkDirectory)
    {
        /// <summary>The runner's name: the process provider runs each runner in <c>{workRoot}/{runnerName}</c>.</summary>
        public string? RunnerName => WorkDirectory is null ? null : Path.GetFileName(WorkDirectory.TrimEnd('/'));
    }

    /// <summary>Every live (not zombie) process whose command line holds <paramref name="marker"/>.</summary>
    public static IReadOnlyList<Found> WithMarker(string marker)
    {
        var found = new List<Found>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var commandLine = Encoding.UTF8.GetString(File.ReadAllBytes(Path.Combine(directory, "cmdline"))).Replace('\0', ' ').Trim();
                if (!commandLine.Contains(marker, StringComparison.Ordinal) || IsZombie(directory))
                {
                    continue;
                }

                string? cwd = null;
                try
                {
                    cwd = new DirectoryInfo(Path.Combine(directory, "cwd")).LinkTarget;
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
                catch (UnauthorizedAccessException)
                {
                    // Not ours to read.
                }

                found.Add(new Found(pid, commandLine, cwd));
            }
            catch (IOException)
            {
                // The process ended while being read.
            }
            catch (UnauthorizedAccessException)
            {
                // Not ours to read.
            }
        }

        return found;
    }

    /// <summary>Process ids of live (not zombie) processes whose working directory is under <paramref name="workRoot"/>.</summary>
    public static IReadOnlyList<int> Under(string workRoot)
    {
        var prefix = Path.GetFullPath(workRoot).TrimEnd('/') + "/";
        var found = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cwd = new DirectoryInfo(Path.Combine(directory, "cwd")).LinkTarget;
                if (cwd is not null && (cwd + "/").StartsWith(prefix, StringComparison.Ordinal) && !IsZombie(directory))
                {
                    found.Add(pid);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that just ended.
            }
        }

        return found;
    }

    /// <summary>Whether process <paramref name="pid"/> is alive (not a zombie) and still carries <paramref name="marker"/>.</summary>
    public static bool IsAlive(int pid, string marker) => WithMarker(marker).Any(p => p.ProcessId == pid);

    /// <summary>Ends the processes the run left behind (after the invariants were checked), so one run does not leak into the next.</summary>
    public static void KillAll(string marker)
    {
        foreach (var process in WithMarker(marker))
        {
            try
            {
                using var p = System.Diagnostics.Process.GetProcessById(process.ProcessId);
                p.Kill();
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }

    private static bool IsZombie(string directory)
    {
        // /proc/PID/stat: "pid (comm) S ..."; the state follows the last ')'.
        var stat = File.ReadAllText(Path.Combine(directory, "stat"));
        var close = stat.LastIndexOf(')');
        return close > 0 && close + 2 < stat.Length && stat[close + 2] is 'Z' or 'X';
    }
}
