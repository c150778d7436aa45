using System.Text.Json;

namespace Drover.Providers.Process;

/// <summary>
/// The runner processes a <c>process</c> provider owns, one small JSON file per runner (<c>{stateDir}/{runnerName}.json</c>).
/// Every write goes to a temporary file that is flushed to disk and then renamed over the record, so a record is
/// either the old or the new one whatever moment the host dies at (kill -9, power loss); a leftover temporary file is
/// ignored and removed when the registry is opened.
/// </summary>
internal sealed class RunnerRegistry
{
    private const string Extension = ".json";
    private const string TemporaryExtension = ".tmp";
    private static readonly JsonSerializerOptions _json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>Opens (creating it, mode 0700) the registry in <paramref name="directory"/> and removes half-written files.</summary>
    public RunnerRegistry(string directory)
    {
        Directory = directory;
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        foreach (var leftover in System.IO.Directory.EnumerateFiles(directory, "*" + TemporaryExtension))
        {
            File.Delete(leftover);
        }
    }

    /// <summary>The registry's directory.</summary>
    public string Directory { get; }

    /// <summary>Writes (or replaces) the record of <paramref name="record"/>'s runner, durably.</summary>
    public void Write(RunnerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var path = PathOf(record.Name);
        var temporary = path + "." + Guid.NewGuid().ToString("N")[..8] + TemporaryExtension;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, record, _json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Forgets the runner <paramref name="name"/>; nothing happens when it has no record.</summary>
    public void Remove(string name) => File.Delete(PathOf(name));

    /// <summary>
    /// Every record, in name order. A record that cannot be read (a disk error, a hand-edited file) is returned in
    /// <paramref name="unreadable"/> by file name and left in place.
    /// </summary>
    public IReadOnlyList<RunnerRecord> List(out IReadOnlyList<string> unreadable)
    {
        var records = new List<RunnerRecord>();
        var bad = new List<string>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Order(StringComparer.Ordinal))
        {
            try
            {
                using var stream = File.OpenRead(path);
                if (JsonSerializer.Deserialize<RunnerRecord>(stream, _json) is { Name.Length: > 0, Pool: not null } record
                    && record.Name == Path.GetFileNameWithoutExtension(path))
                {
                    records.Add(record);
                }
                else
                {
                    bad.Add(Path.GetFileName(path));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
            {
                bad.Add(Path.GetFileName(path));
            }
        }

        unreadable = bad;
        return records;
    }

    private string PathOf(string name) => Path.Combine(Directory, name + Extension);
}
