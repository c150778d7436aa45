using System.Globalization;
using Drover.Testing;

namespace Drover.Providers.Process.Tests.Support;

/// <summary>Looks at processes through /proc, and waits for a file a test command writes.</summary>
public static class Processes
{
    /// <summary>True when <paramref name="pid"/> runs (a zombie counts as ended).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
            return state != "Z" && state != "X";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The process's command line words.</summary>
    public static string CommandLine(int pid) => File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');

    /// <summary>
    /// The runner program the launcher <paramref name="launcher"/> started (its one child), once it runs the command
    /// (its command line starts with <paramref name="program"/>).
    /// </summary>
    public static async Task<int> RunnerOfAsync(int launcher, string program)
    {
        var child = 0;
        await Eventually.TrueAsync(
            () => (child = Children(launcher).FirstOrDefault(c => CommandLine(c).StartsWith(program, StringComparison.Ordinal))) != 0,
            $"the launcher {launcher} runs {program}",
            TimeSpan.FromSeconds(10),
            seen: () => $"children: {string.Join(", ", Children(launcher).Select(c => $"{c} ({CommandLine(c)})"))}");
        return child;
    }

    /// <summary>The live processes whose parent is <paramref name="parent"/>.</summary>
    public static IReadOnlyList<int> Children(int parent)
    {
        var children = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (fields[0] is not ("Z" or "X") && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
                {
                    children.Add(pid);
                }
            }
            catch (IOException)
            {
                // Ended meanwhile.
            }
        }

        return children;
    }

    /// <summary>Reads a pid a test command wrote to <paramref name="path"/>.</summary>
    public static int ReadPid(string path) => int.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Polls until <paramref name="path"/> exists and is not empty.</summary>
    public static Task WaitForFileAsync(string path, double seconds = 15) =>
        Eventually.TrueAsync(
            () => File.Exists(path) && new FileInfo(path).Length > 0,
            $"{path} is written",
            TimeSpan.FromSeconds(seconds),
            seen: () => File.Exists(path) ? "the file is empty" : "no such file");
}
