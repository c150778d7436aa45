namespace Drover.Core.Config;

/// <summary>
/// The fields of one mapping of the fleet file, read with type checks for an adapter module. Every getter returns null
/// when the field is absent or wrong; a wrong one is already reported with its file, line, column and path.
/// </summary>
public sealed class ConfigFields
{
    private readonly MappingReader _reader;

    internal ConfigFields(MappingReader reader)
    {
        _reader = reader;
    }

    /// <summary>The mapping's field path.</summary>
    public string Path => _reader.Path;

    /// <summary>The path of <paramref name="key"/> in this mapping.</summary>
    public string PathOf(string key) => _reader.PathOf(key);

    /// <summary>The keys written, in file order.</summary>
    public IReadOnlyList<string> Keys => [.. _reader.Node.Entries.Select(e => e.Key.Value)];

    /// <summary>True when <paramref name="key"/> is written.</summary>
    public bool Has(string key) => _reader.Has(key);

    /// <summary>Where <paramref name="key"/>'s value was written, or the mapping itself when it is absent.</summary>
    public ConfigLocation LocationOf(string key) =>
        _reader.Get(key) is { } node ? new ConfigLocation(node.Line, node.Column) : new ConfigLocation(_reader.Node.Line, _reader.Node.Column);

    public string? String(string key, bool required = false) => _reader.String(key, required);

    public int? Int(string key, bool required = false) => _reader.Int(key, required);

    public long? Long(string key, bool required = false) => _reader.Long(key, required);

    public decimal? Decimal(string key, bool required = false) => _reader.Decimal(key, required);

    public bool? Bool(string key) => _reader.Bool(key);

    /// <summary>A duration such as <c>30s</c>, <c>5m</c> or <c>1h30m</c>.</summary>
    public TimeSpan? Duration(string key) => _reader.Duration(key);

    /// <summary>One of <paramref name="names"/>' keys, with a suggestion when it is close to one.</summary>
    public T? Enum<T>(string key, IReadOnlyDictionary<string, T> names, bool required = false)
        where T : struct => _reader.Enum(key, names, required);

    /// <summary>A secret reference (<c>env:NAME</c> or <c>file:/absolute/path</c>); inline values are refused and never echoed.</summary>
    public SecretRef? Secret(string key) => _reader.Secret(key);

    /// <summary>An absolute http(s) URL without credentials.</summary>
    public Uri? Url(string key, bool required = false) => _reader.Url(key, required);

    /// <summary>A list of non-empty strings.</summary>
    public IReadOnlyList<string>? StringList(string key) => _reader.StringList(key);

    /// <summary>A mapping of string values (keys that name a secret must hold a secret reference).</summary>
    public IReadOnlyDictionary<string, string>? StringMap(string key) => _reader.Settings(key);

    /// <summary>The value of <paramref name="key"/> as a section of its own (a nested mapping or list); absent when not written.</summary>
    public ConfigSection Section(string key) =>
        ConfigSection.Over(_reader.Get(key), _reader.PathOf(key), _reader.Errors, _reader.Map, _reader.Node);

    /// <summary>Reports a problem of <paramref name="key"/>'s value (of the mapping, when the key is absent).</summary>
    public void Error(string key, string message)
    {
        if (_reader.Get(key) is { } node)
        {
            _reader.Errors.Add(node, _reader.PathOf(key), message);
        }
        else
        {
            _reader.Errors.Add(_reader.Node, _reader.PathOf(key), message);
        }
    }

    /// <summary>Reports something of <paramref name="key"/> that still works but should change; never fails the load.</summary>
    public void Warn(string key, string message) => _reader.Errors.Warn(LocationOf(key), _reader.PathOf(key), message);
}
