namespace Drover.Testing.Postgres;

/// <summary>Finds PostgreSQL's server programs from the Debian package and decides whether their absence skips or fails.</summary>
public static class PostgresBinaries
{
    private static readonly Lazy<string?> _binDirectory = new(FindBinDirectory);

    /// <summary>The newest <c>/usr/lib/postgresql/N/bin</c> that holds initdb and pg_ctl, or null.</summary>
    public static string? BinDirectory => _binDirectory.Value;

    /// <summary>True when CI=true: then missing binaries fail the tests instead of skipping them.</summary>
    public static bool Required => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why PostgreSQL tests are skipped here, or null when they run (or must run and will fail).</summary>
    public static string? SkipReason => BinDirectory is null && !Required ? MissingMessage : null;

    public static string MissingMessage =>
        "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/initdb); " +
        "install the Debian package 'postgresql' (scripts/test.sh does this as root)" +
        (Required ? "; CI=true requires them" : "; PostgreSQL tests skipped");

    private static string? FindBinDirectory()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root))
        {
            return null;
        }

        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(c => File.Exists(Path.Combine(c.Dir, "initdb")) && File.Exists(Path.Combine(c.Dir, "pg_ctl")))
            .OrderByDescending(c => c.Version)
            .Select(c => c.Dir)
            .FirstOrDefault();
    }
}
