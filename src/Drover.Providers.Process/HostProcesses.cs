using System.Globalization;
using System.Runtime.InteropServices;

namespace Drover.Providers.Process;

/// <summary>
/// What the provider needs of the host's processes beyond <see cref="System.Diagnostics.Process"/>: a process's start
/// time (to tell a runner from a later process that got its id), whether it still runs, finding a runner process by the
/// marker in its environment, and signals to a whole process group. Linux reads <c>/proc</c>; elsewhere a process's
/// start time is unknown and only processes this host started in this run are managed.
/// </summary>
internal static partial class HostProcesses
{
    /// <summary>The environment variable every runner process carries: <c>{provider}/{runnerName}</c>.</summary>
    public const string MarkerVariable = "DROVER_RUNNER";

    private const int SigTerm = 15;
    private const int SigKill = 9;

    /// <summary>The <c>setsid</c> program, which starts the runner in a session (and process group) of its own; null when absent.</summary>
    public static string? SetSid { get; } = OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/setsid", "/bin/setsid" }.FirstOrDefault(File.Exists)
        : null;

    /// <summary>
    /// The start time of <paramref name="pid"/> (clock ticks since boot, <c>/proc/PID/stat</c> field 22); null when it
    /// does not run (or is a zombie) or cannot be read.
    /// </summary>
    public static ulong? StartTime(int pid) => Stat(pid)?.StartTime;

    /// <summary>The parent and start time of <paramref name="pid"/> from <c>/proc/PID/stat</c>; null when it does not run (or is a zombie) or cannot be read.</summary>
    private static (int Parent, ulong StartTime)? Stat(int pid)
    {
        if (!OperatingSystem.IsLinux() || pid <= 0)
        {
            return null;
        }

        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name (field 2) is in parentheses and may hold spaces: the fields after it start after the last ')'.
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        var fields = stat[(close + 2)..].Split(' ');
        if (fields.Length < 20 || fields[0] is "Z" or "X")
        {
            return null;
        }

        return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
            && ulong.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            ? (parent, ticks)
            : null;
    }

    /// <summary>True when <paramref name="pid"/> runs and started at <paramref name="startTime"/> (the same process, not a reuse of its id).</summary>
    public static bool IsRunning(int pid, ulong startTime) => StartTime(pid) == startTime;

    /// <summary>
    /// The process whose environment holds <see cref="MarkerVariable"/> = <paramref name="marker"/> and whose parent does
    /// not (the runner's launcher, not the runner it started, which inherits the marker), with its start time; null when
    /// none runs. Reads every <c>/proc/PID/environ</c> this user may read.
    /// </summary>
    public static (int Pid, ulong StartTime)? FindByMarker(string marker)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var wanted = MarkerVariable + "=" + marker;
        var marked = new Dictionary<int, (int Parent, ulong StartTime)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var environment = File.ReadAllText(Path.Combine(directory, "environ"));
                if (environment.Split('\0').Contains(wanted, StringComparer.Ordinal) && Stat(pid) is { } stat)
                {
                    marked[pid] = stat;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another user's process, or one that just ended.
            }
        }

        foreach (var (pid, stat) in marked.OrderBy(m => m.Key))
        {
            if (!marked.ContainsKey(stat.Parent))
            {
                return (pid, stat.StartTime);
            }
        }

        return null;
    }

    /// <summary>Sends SIGTERM to the process group <paramref name="processGroup"/>; false when no such group exists.</summary>
    public static bool TerminateGroup(int processGroup) => SignalGroup(processGroup, SigTerm);

    /// <summary>Sends SIGKILL to the process group <paramref name="processGroup"/>; false when no such group exists.</summary>
    public static bool KillGroup(int processGroup) => SignalGroup(processGroup, SigKill);

    private static bool SignalGroup(int processGroup, int signal) =>
        !OperatingSystem.IsWindows() && processGroup > 1 && Kill(-processGroup, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
