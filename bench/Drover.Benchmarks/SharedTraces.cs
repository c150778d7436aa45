namespace Drover.Benchmarks;

/// <summary>
/// Locates the workplace's shared traces: <c>../shared/data/traces</c> next to the repository root (the folder
/// holding Drover.sln) or, from a linked git worktree, next to the main checkout.
/// </summary>
internal static class SharedTraces
{
    /// <summary>Full path of a shared trace file, or null when it is not there.</summary>
    public static string? Find(string fileName) => FindShared(Path.Combine("data", "traces", fileName));

    /// <summary>Full path of a file under <c>../shared</c> (e.g. <c>data/fixtures/github/...</c>), or null when it is not there.</summary>
    public static string? FindShared(string relativePath)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
            {
                continue;
            }

            foreach (var checkout in Checkouts(directory.FullName))
            {
                var path = Path.GetFullPath(Path.Combine(checkout, "..", "shared", relativePath));
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }

        return null;
    }

    private static IEnumerable<string> Checkouts(string root)
    {
        yield return root;
        var dotGit = Path.Combine(root, ".git");
        if (!File.Exists(dotGit))
        {
            yield break;
        }

        var line = File.ReadLines(dotGit).FirstOrDefault() ?? string.Empty;
        if (!line.StartsWith("gitdir:", StringComparison.Ordinal))
        {
            yield break;
        }

        var gitDir = Path.GetFullPath(Path.Combine(root, line["gitdir:".Length..].Trim()));
        var commonDirFile = Path.Combine(gitDir, "commondir");
        var commonDir = File.Exists(commonDirFile) ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonDirFile).Trim())) : gitDir;
        if (Path.GetDirectoryName(commonDir.TrimEnd(Path.DirectorySeparatorChar)) is { } main)
        {
            yield return main;
        }
    }
}
