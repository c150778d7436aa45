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
