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
    /// <summary>A live process carrying <paramref name="marker"/> on its command line: pid, parent, command line and work directory (the runner's name is its last part).</summary>
    public sealed record Found(int ProcessId, int ParentId, string CommandLine, string? WorkDirectory)
    {
        /// <summary>The runner's name: the process provider runs each runner in <c>{workRoot}/{runnerName}</c>.</summary>
        public string? RunnerName => WorkDirectory is null ? null : Path.GetFileName(WorkDirectory.TrimEnd('/'));
    }

    /// <summary>
    /// Every live (not zombie) process whose command line holds <paramref name="marker"/>: a runner's launcher (the
    /// process provider's <c>/bin/sh</c>, which waits to write the runner's exit status) and the runner under it.
    /// </summary>
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
                if (!commandLine.Contains(marker, StringComparison.Ordinal) || Stat(directory) is not { Zombie: false } stat)
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

                found.Add(new Found(pid, stat.Parent, commandLine, cwd));
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

    /// <summary>
    /// One process per runner: of <see cref="WithMarker"/>, those whose parent is not one of them (a launcher, or a
    /// runner whose launcher was killed).
    /// </summary>
    public static IReadOnlyList<Found> Runners(string marker)
    {
        var all = WithMarker(marker);
        var pids = all.Select(p => p.ProcessId).ToHashSet();
        return [.. all.Where(p => !pids.Contains(p.ParentId))];
    }

    /// <summary>The runner program itself (not its launcher) of <paramref name="runnerName"/>; null when none runs.</summary>
    public static Found? RunnerProgram(string marker, string runnerName)
    {
        var all = WithMarker(marker).Where(p => p.RunnerName == runnerName).ToList();
        var pids = all.Select(p => p.ProcessId).ToHashSet();
        return all.FirstOrDefault(p => pids.Contains(p.ParentId)) ?? all.FirstOrDefault();
    }

    /// <summary>
    /// Process ids of live (not zombie) processes whose working directory is under <paramref name="workRoot"/>, one per
    /// runner (a process whose parent is also under it, the runner under its launcher, is not counted again).
    /// </summary>
    public static IReadOnlyList<int> Under(string workRoot)
    {
        var prefix = Path.GetFullPath(workRoot).TrimEnd('/') + "/";
        var found = new List<(int Pid, int Parent)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var cwd = new DirectoryInfo(Path.Combine(directory, "cwd")).LinkTarget;
                if (cwd is not null && (cwd + "/").StartsWith(prefix, StringComparison.Ordinal) && Stat(directory) is { Zombie: false } stat)
                {
                    found.Add((pid, stat.Parent));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that just ended.
            }
        }

        var pids = found.Select(p => p.Pid).ToHashSet();
        return [.. found.Where(p => !pids.Contains(p.Parent)).Select(p => p.Pid)];
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

    private static (bool Zombie, int Parent)? Stat(string directory)
    {
        // /proc/PID/stat: "pid (comm) S ppid ..."; the state follows the last ')'.
        var stat = File.ReadAllText(Path.Combine(directory, "stat"));
        var close = stat.LastIndexOf(')');
        if (close < 0 || close + 2 >= stat.Length)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        return fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            ? (fields[0] is "Z" or "X", parent)
            : null;
    }
}
