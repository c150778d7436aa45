namespace Drover.Forges.GitHub.Tests.Support;

/// <summary>
/// Finds the workplace's shared data (<c>../shared</c> next to the repository root, the folder holding
/// Drover.sln). Under <c>CI=true</c> it is required; elsewhere tests that need it are skipped when it is absent.
/// </summary>
internal static class SharedData
{
    private static readonly Lazy<string?> _root = new(FindRepositoryRoot);

    /// <summary>The repository root, or null when no Drover.sln is found above the test assembly.</summary>
    public static string? RepositoryRoot => _root.Value;

    /// <summary>
    /// The shared folder, or null when it is absent. It is <c>../shared</c> next to the repository root; in a linked
    /// git worktree, next to the main checkout as well.
    /// </summary>
    public static string? Directory => Candidates().FirstOrDefault(c => System.IO.Directory.Exists(Path.Combine(c, "data", "fixtures", "github")));

    /// <summary>True under CI, where missing shared data is a failure rather than a skip.</summary>
    public static bool IsRequired => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public static string MissingMessage =>
        RepositoryRoot is null
            ? $"no Drover.sln above {AppContext.BaseDirectory}, so ../shared cannot be located"
            : $"shared data not found at {string.Join(" or ", Candidates().Select(c => Path.Combine(c, "data", "fixtures", "github")))} (the workplace's ../shared); set CI=true to make its absence fail";

    /// <summary>Full path of a file under <c>../shared/data/fixtures/github</c> (e.g. <c>workflow_job/queued.payload.json</c>); throws with the reason when the folder is absent.</summary>
    public static string FixturePath(string fileName)
    {
        var shared = Directory ?? throw new InvalidOperationException(MissingMessage);
        var path = Path.Combine(shared, "data", "fixtures", "github", fileName);
        return File.Exists(path) ? path : throw new FileNotFoundException($"shared fixture {path} is missing", path);
    }

    /// <summary>Every fixture file of a folder under <c>../shared/data/fixtures/github</c>, as paths relative to it; empty when the data is absent.</summary>
    public static IEnumerable<string> Fixtures(string folder)
    {
        if (Directory is not { } shared)
        {
            return [];
        }

        var root = Path.Combine(shared, "data", "fixtures", "github");
        return System.IO.Directory.EnumerateFiles(Path.Combine(root, folder), "*.json").Select(f => Path.GetRelativePath(root, f)).Order(StringComparer.Ordinal);
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
