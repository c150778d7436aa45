namespace Drover.Testing;

/// <summary>
/// Finds the workplace's shared data (<c>../shared</c> next to the repository root, the folder holding Drover.sln;
/// in a linked git worktree, next to the main checkout as well). Under <c>CI=true</c> it is required; elsewhere tests
/// that need it are skipped when it is absent.
/// </summary>
public static class SharedData
{
    private static readonly Lazy<string?> _root = new(FindRepositoryRoot);

    /// <summary>The repository root, or null when no Drover.sln is found above the test assembly.</summary>
    public static string? RepositoryRoot => _root.Value;

    /// <summary>True under CI, where missing shared data is a failure rather than a skip.</summary>
    public static bool IsRequired => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The folder <c>../shared/<paramref name="relative"/></c> (e.g. <c>data/traces</c>), or null when it is absent.</summary>
    public static string? Folder(string relative) =>
        Candidates().Select(c => Path.Combine(c, relative)).FirstOrDefault(Directory.Exists);

    /// <summary>Why <c>../shared/<paramref name="relative"/></c> cannot be used.</summary>
    public static string MissingMessage(string relative) =>
        RepositoryRoot is null
            ? $"no Drover.sln above {AppContext.BaseDirectory}, so ../shared cannot be located"
            : $"shared data not found at {string.Join(" or ", Candidates().Select(c => Path.Combine(c, relative)))} (the workplace's ../shared); set CI=true to make its absence fail";

    /// <summary>Full path of <paramref name="fileName"/> under <c>../shared/<paramref name="relative"/></c>; throws with the reason when it is absent.</summary>
    public static string FilePath(string relative, string fileName)
    {
        var folder = Folder(relative) ?? throw new InvalidOperationException(MissingMessage(relative));
        var path = Path.Combine(folder, fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"shared file {path} is missing", path);
    }

    private static IEnumerable<string> Candidates()
    {
        if (RepositoryRoot is null)
        {
            yield break;
        }

        yield return Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        if (MainCheckout(RepositoryRoot) is { } main)
        {
            yield return Path.GetFullPath(Path.Combine(main, "..", "shared"));
        }
    }

    /// <summary>For a linked worktree (<c>.git</c> is a file naming its git dir), the main checkout's folder.</summary>
    private static string? MainCheckout(string root)
    {
        var dotGit = Path.Combine(root, ".git");
        if (!File.Exists(dotGit))
        {
            return null;
        }

        var line = File.ReadLines(dotGit).FirstOrDefault() ?? string.Empty;
        if (!line.StartsWith("gitdir:", StringComparison.Ordinal))
        {
            return null;
        }

        var gitDir = Path.GetFullPath(Path.Combine(root, line["gitdir:".Length..].Trim()));
        var commonDirFile = Path.Combine(gitDir, "commondir");
        var commonDir = File.Exists(commonDirFile)
            ? Path.GetFullPath(Path.Combine(gitDir, File.ReadAllText(commonDirFile).Trim()))
            : gitDir;
        return Path.GetDirectoryName(commonDir.TrimEnd(Path.DirectorySeparatorChar));
    }

    private static string? FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Drover.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    }
}
