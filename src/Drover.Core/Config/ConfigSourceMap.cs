namespace Drover.Core.Config;

/// <summary>
/// Where each field path (<c>pools[1].max</c>) of a loaded configuration was written. A field that was not written
/// (it kept its default) is located at the nearest enclosing field that was.
/// </summary>
public sealed class ConfigSourceMap
{
    private readonly Dictionary<string, ConfigLocation> _locations = new(StringComparer.Ordinal);

    public ConfigSourceMap(string file)
    {
        File = file;
    }

    public static ConfigSourceMap Empty { get; } = new(string.Empty);

    public string File { get; }

    /// <summary>Records the first location seen for <paramref name="path"/>.</summary>
    internal void Add(string path, int line, int column) => _locations.TryAdd(path, new ConfigLocation(line, column));

    public bool TryGet(string path, out ConfigLocation location) => _locations.TryGetValue(path, out location);

    /// <summary>The location of <paramref name="path"/> or of its nearest written ancestor; (0, 0) when none is known.</summary>
    public ConfigLocation Locate(string path)
    {
        var current = path;
        while (current.Length > 0)
        {
            if (_locations.TryGetValue(current, out var location))
            {
                return location;
            }

            current = ConfigPath.Parent(current);
        }

        return _locations.TryGetValue(string.Empty, out var root) ? root : default;
    }
}
