namespace Drover.Cli;

/// <summary>
/// The demo's state store. The simulated world lives in memory, so runners a previous demo run left in its store
/// refer to instances that no longer exist: every demo start begins on a fresh SQLite file. A file the demo created
/// carries a marker beside it (<c>PATH.demo</c>) and is reset; any other existing file is refused, never deleted.
/// </summary>
internal static class DemoStore
{
    private const string Sqlite = "sqlite:";

    /// <summary>Makes <paramref name="location"/> a fresh demo store; returns what was done, or throws saying why it cannot.</summary>
    /// <exception cref="InvalidOperationException">The location is not SQLite, or names a file the demo did not create.</exception>
    public static string Prepare(string location)
    {
        if (!location.StartsWith(Sqlite, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException("--store: the demo runs on a SQLite file of its own (sqlite:PATH); give --config to serve a real fleet");
        }

        var path = Path.GetFullPath(location[Sqlite.Length..]);
        var marker = path + ".demo";
        var reset = false;
        if (File.Exists(path))
        {
            if (!File.Exists(marker))
            {
                throw new InvalidOperationException(
                    $"--store {location}: {path} is not a demo store (the demo starts on a fresh file and resets only files it created); name a new file or omit --store");
            }

            foreach (var file in new[] { path, path + "-wal", path + "-shm", path + "-journal" })
            {
                File.Delete(file);
            }

            reset = true;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(marker, "This SQLite store belongs to drover's demo; every demo start resets it.\n");
        return reset
            ? $"demo: starting clean (the simulated world lives in memory; reset {path} of an earlier demo run)"
            : $"demo: starting clean on {path}";
    }
}
