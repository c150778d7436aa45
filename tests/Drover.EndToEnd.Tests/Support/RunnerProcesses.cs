using System.Globalization;

namespace Drover.EndToEnd.Tests.Support;

/// <summary>The runner processes running on this host under a work root, found through <c>/proc</c> (their working directory).</summary>
internal static class RunnerProcesses
{
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
                if (cwd is null || !(cwd + "/").StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
                if (state is not ("Z" or "X"))
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
}
