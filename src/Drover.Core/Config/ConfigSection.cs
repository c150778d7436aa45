namespace Drover.Core.Config;

/// <summary>
/// A part of the fleet file handed to an adapter module (a provider's <c>settings</c>, a forge entry, a pool's
/// <c>template.&lt;module&gt;</c>), with the positions of everything in it. Problems reported through it carry the
/// file, line, column and field path like every other configuration error, so a module validates exactly as the core
/// validator does. A section may be absent (<see cref="Exists"/> false): reading it gives defaults.
/// </summary>
public sealed class ConfigSection
{
    private readonly ConfigNode? _node;
    private readonly ConfigErrorCollector _errors;
    private readonly ConfigSourceMap _map;
    private readonly ConfigLocation _fallback;

    internal ConfigSection(ConfigNode? node, string path, ConfigErrorCollector errors, ConfigSourceMap map, ConfigLocation fallback)
    {
        _node = node is ConfigScalar { IsNull: true } ? null : node;
        _errors = errors;
        _map = map;
        _fallback = fallback;
        Path = path;
    }

    /// <summary>The field path, e.g. <c>providers[0].settings</c>.</summary>
    public string Path { get; }

    /// <summary>True when the file has this section (a null value counts as absent).</summary>
    public bool Exists => _node is not null;

    /// <summary>Where the section was written, or where its parent was when it is absent.</summary>
    public ConfigLocation Location => _node is null ? _fallback : new ConfigLocation(_node.Line, _node.Column);

    /// <summary>True when the section is a mapping.</summary>
    public bool IsMapping => _node is ConfigMapping;

    /// <summary>True when the section is a list.</summary>
    public bool IsList => _node is ConfigSequence;

    /// <summary>The text of a scalar section; null when absent or not a scalar.</summary>
    public string? Scalar => _node is ConfigScalar { IsNull: false } scalar ? scalar.Value : null;

    /// <summary>
    /// Reads the section as a mapping whose keys are <paramref name="knownKeys"/>; unknown keys are reported with the
    /// closest known key. Null when absent; reported and null when it is not a mapping.
    /// </summary>
    public ConfigFields? Fields(IReadOnlyCollection<string> knownKeys)
    {
        if (_node is null)
        {
            return null;
        }

        var reader = MappingReader.Over(_node, Path, knownKeys, _errors, _map);
        return reader is null ? null : new ConfigFields(reader);
    }

    /// <summary>The items of a list section; reported and empty when it is something else; empty when absent.</summary>
    public IReadOnlyList<ConfigSection> Items()
    {
        switch (_node)
        {
            case null:
                return [];
            case ConfigSequence sequence:
                return [.. sequence.Items.Select((item, i) =>
                {
                    var path = ConfigPath.Index(Path, i);
                    _map.Add(path, item.Line, item.Column);
                    return new ConfigSection(item, path, _errors, _map, new ConfigLocation(item.Line, item.Column));
                })];
            default:
                Error($"expected a list, got {_node.Describe()}");
                return [];
        }
    }

    /// <summary>
    /// The entries of a mapping section whose keys are the user's own (environment variable names, labels), in file
    /// order; reported and empty when it is something else; empty when absent.
    /// </summary>
    public IReadOnlyList<KeyValuePair<string, ConfigSection>> Entries()
    {
        switch (_node)
        {
            case null:
                return [];
            case ConfigMapping mapping:
                return [.. mapping.Entries.Select(entry =>
                {
                    var path = ConfigPath.Child(Path, entry.Key.Value);
                    _map.Add(path, entry.Value.Line, entry.Value.Column);
                    return new KeyValuePair<string, ConfigSection>(
                        entry.Key.Value, new ConfigSection(entry.Value, path, _errors, _map, new ConfigLocation(entry.Key.Line, entry.Key.Column)));
                })];
            default:
                Error($"expected a mapping, got {_node.Describe()}");
                return [];
        }
    }

    /// <summary>
    /// Reads the section as a mapping of string values (keys that name a secret must hold a secret reference); empty when
    /// absent; reported and empty when it is something else.
    /// </summary>
    public IReadOnlyDictionary<string, string> StringMap()
    {
        if (_node is null)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        var parentPath = ConfigPath.Parent(Path);
        var key = Path[(parentPath.Length == 0 ? 0 : parentPath.Length + 1)..];
        var holder = new ConfigMapping([new ConfigMappingEntry(new ConfigScalar(key, true, _node.Line, _node.Column), _node)], _node.Line, _node.Column);
        var reader = MappingReader.Over(holder, parentPath, [key], _errors, _map);
        return reader?.Settings(key) ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <summary>Reports a problem of the entry <paramref name="key"/> of this mapping (of the section itself when there is none).</summary>
    public void Error(string key, string message)
    {
        if (_node is ConfigMapping mapping && mapping.Find(key) is { } entry)
        {
            _errors.Add(entry.Value, ConfigPath.Child(Path, key), message);
        }
        else
        {
            _errors.Add(Location, ConfigPath.Child(Path, key), message);
        }
    }

    /// <summary>Reports a problem of this section as a whole.</summary>
    public void Error(string message)
    {
        if (_node is not null)
        {
            _errors.Add(_node, Path, message);
        }
        else
        {
            _errors.Add(_fallback, Path, message);
        }
    }

    /// <summary>Reports something that still works but should change (a deprecated key); never fails the load.</summary>
    public void Warn(string message) => _errors.Warn(Location, Path, message);

    /// <summary>Reports something of the entry <paramref name="key"/> that still works but should change; never fails the load.</summary>
    public void Warn(string key, string message)
    {
        var at = _node is ConfigMapping mapping && mapping.Find(key) is { } entry ? new ConfigLocation(entry.Key.Line, entry.Key.Column) : Location;
        _errors.Warn(at, ConfigPath.Child(Path, key), message);
    }

    internal static ConfigSection Over(ConfigNode? node, string path, ConfigErrorCollector errors, ConfigSourceMap map, ConfigNode parent)
    {
        if (node is not null)
        {
            map.Add(path, node.Line, node.Column);
        }

        return new ConfigSection(node, path, errors, map, new ConfigLocation(parent.Line, parent.Column));
    }
}
