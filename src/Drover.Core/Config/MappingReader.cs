using System.Globalization;

namespace Drover.Core.Config;

/// <summary>
/// Reads the fields of one YAML mapping with type checks, recording every field's location in the source map and
/// every problem in the collector. Unknown keys are reported up front, with the closest known key when obvious.
/// Each getter returns null when the field is absent or wrong (the problem is already reported).
/// </summary>
internal sealed class MappingReader
{
    private readonly ConfigMapping _mapping;
    private readonly ConfigErrorCollector _errors;
    private readonly ConfigSourceMap _map;

    private MappingReader(ConfigMapping mapping, string path, IReadOnlyCollection<string> knownKeys, ConfigErrorCollector errors, ConfigSourceMap map)
    {
        _mapping = mapping;
        _errors = errors;
        _map = map;
        Path = path;
        map.Add(path, mapping.Line, mapping.Column);
        foreach (var entry in mapping.Entries)
        {
            if (!knownKeys.Contains(entry.Key.Value))
            {
                var suggestion = KeySuggester.Suggest(entry.Key.Value, knownKeys);
                var hint = suggestion is not null ? $"did you mean '{suggestion}'?" : $"known keys: {string.Join(", ", knownKeys)}";
                errors.Add(entry.Key, ConfigPath.Child(path, entry.Key.Value), $"unknown key '{entry.Key.Value}'; {hint}");
            }
        }
    }

    public string Path { get; }

    public ConfigMapping Node => _mapping;

    public ConfigErrorCollector Errors => _errors;

    public ConfigSourceMap Map => _map;

    /// <summary>A reader over <paramref name="node"/> when it is a mapping; otherwise reports the wrong type.</summary>
    public static MappingReader? Over(ConfigNode node, string path, IReadOnlyCollection<string> knownKeys, ConfigErrorCollector errors, ConfigSourceMap map)
    {
        if (node is ConfigMapping mapping)
        {
            return new MappingReader(mapping, path, knownKeys, errors, map);
        }

        map.Add(path, node.Line, node.Column);
        errors.Add(node, path, $"expected a mapping, got {node.Describe()}");
        return null;
    }

    public string PathOf(string key) => ConfigPath.Child(Path, key);

    public bool Has(string key) => _mapping.Find(key) is not null;

    /// <summary>The raw node of <paramref name="key"/>, or null when absent.</summary>
    public ConfigNode? Get(string key)
    {
        var entry = _mapping.Find(key);
        if (entry is null)
        {
            return null;
        }

        _map.Add(PathOf(key), entry.Value.Line, entry.Value.Column);
        return entry.Value;
    }

    public void ReportMissing(string key) => _errors.Add(_mapping, PathOf(key), $"required field '{key}' is missing");

    public string? String(string key, bool required = false)
    {
        var scalar = Scalar(key, required, "a string");
        if (scalar is null)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(scalar.Value))
        {
            _errors.Add(scalar, PathOf(key), "must not be empty");
            return null;
        }

        return scalar.Value;
    }

    public int? Int(string key, bool required = false)
    {
        var scalar = Scalar(key, required, "an integer");
        if (scalar is null)
        {
            return null;
        }

        if (scalar.IsPlain && int.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _errors.Add(scalar, PathOf(key), $"expected an integer, got {Quote(scalar)}");
        return null;
    }

    public long? Long(string key, bool required = false)
    {
        var scalar = Scalar(key, required, "an integer");
        if (scalar is null)
        {
            return null;
        }

        if (scalar.IsPlain && long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _errors.Add(scalar, PathOf(key), $"expected an integer, got {Quote(scalar)}");
        return null;
    }

    public decimal? Decimal(string key, bool required = false)
    {
        var scalar = Scalar(key, required, "a number");
        if (scalar is null)
        {
            return null;
        }

        if (scalar.IsPlain && decimal.TryParse(scalar.Value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        _errors.Add(scalar, PathOf(key), $"expected a number, got {Quote(scalar)}");
        return null;
    }

    public bool? Bool(string key)
    {
        var scalar = Scalar(key, false, "true or false");
        if (scalar is null)
        {
            return null;
        }

        if (scalar.IsPlain)
        {
            switch (scalar.Value)
            {
                case "true" or "True" or "TRUE":
                    return true;
                case "false" or "False" or "FALSE":
                    return false;
            }
        }

        _errors.Add(scalar, PathOf(key), $"expected true or false, got {Quote(scalar)}");
        return null;
    }

    public TimeSpan? Duration(string key)
    {
        var scalar = Scalar(key, false, "a duration");
        if (scalar is null)
        {
            return null;
        }

        if (DurationParser.TryParse(scalar.Value, out var value))
        {
            return value;
        }

        _errors.Add(scalar, PathOf(key), $"invalid duration {Quote(scalar)}; write a number and a unit, e.g. 30s, 5m, 1h30m, 2d");
        return null;
    }

    public T? Enum<T>(string key, IReadOnlyDictionary<string, T> names, bool required = false)
        where T : struct
    {
        var scalar = Scalar(key, required, "one of " + string.Join(", ", names.Keys));
        if (scalar is null)
        {
            return null;
        }

        if (names.TryGetValue(scalar.Value, out var value))
        {
            return value;
        }

        var suggestion = KeySuggester.Suggest(scalar.Value, [.. names.Keys]);
        var hint = suggestion is not null ? $"; did you mean '{suggestion}'?" : string.Empty;
        _errors.Add(scalar, PathOf(key), $"unknown value {Quote(scalar)}; expected one of: {string.Join(", ", names.Keys)}{hint}");
        return null;
    }

    /// <summary>A field that holds a secret: only <c>env:NAME</c> or <c>file:/path</c> is accepted, and the value is never echoed.</summary>
    public SecretRef? Secret(string key)
    {
        var node = Get(key);
        if (node is null || _errors.IsSecret(node))
        {
            return null;
        }

        if (node is ConfigScalar { IsNull: false } scalar && SecretRef.TryParse(scalar.Value, out var reference))
        {
            return reference;
        }

        if (node is ConfigScalar { IsNull: false } relative && SecretRef.IsRelativeFile(relative.Value))
        {
            _errors.Add(node, PathOf(key), $"a file: secret reference needs an absolute path ({SecretRef.Forms}); a relative one would depend on the directory Drover starts in");
            return null;
        }

        _errors.AddSecret(node, PathOf(key), "must be a secret reference (env:NAME or file:/path); inline secret values are refused");
        return null;
    }

    public Uri? Url(string key, bool required = false)
    {
        var scalar = Scalar(key, required, "a URL");
        if (scalar is null)
        {
            return null;
        }

        if (!Uri.TryCreate(scalar.Value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0)
        {
            _errors.Add(scalar, PathOf(key), "invalid URL; expected an absolute http:// or https:// URL such as https://api.github.com");
            return null;
        }

        if (url.UserInfo.Length > 0)
        {
            _errors.AddSecret(scalar, PathOf(key), "URL must not contain credentials; use the forge's auth settings");
            return null;
        }

        return url;
    }

    public IReadOnlyList<string>? StringList(string key)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                return null;
            case ConfigScalar { IsNull: true }:
                return [];
            case ConfigSequence sequence:
            {
                var items = new List<string>();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    var path = ConfigPath.Index(PathOf(key), i);
                    var item = sequence.Items[i];
                    _map.Add(path, item.Line, item.Column);
                    if (item is ConfigScalar { IsNull: false } scalar && !string.IsNullOrWhiteSpace(scalar.Value))
                    {
                        items.Add(scalar.Value);
                    }
                    else
                    {
                        _errors.Add(item, path, $"expected a non-empty string, got {item.Describe()}");
                    }
                }

                return items;
            }

            default:
                _errors.Add(node, PathOf(key), $"expected a list of strings, got {node.Describe()}");
                return null;
        }
    }

    /// <summary>
    /// A mapping of string settings. A key that names a secret (see <see cref="SecretHeuristics.IsSecretKey"/>) must
    /// hold a secret reference, kept as its <c>env:</c>/<c>file:</c> text.
    /// </summary>
    public IReadOnlyDictionary<string, string>? Settings(string key)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                return null;
            case ConfigScalar { IsNull: true }:
                return new Dictionary<string, string>();
            case ConfigMapping mapping:
            {
                var settings = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var entry in mapping.Entries)
                {
                    var name = entry.Key.Value;
                    var path = ConfigPath.Child(PathOf(key), name);
                    _map.Add(path, entry.Value.Line, entry.Value.Column);
                    if (_errors.IsSecret(entry.Value))
                    {
                        continue;
                    }

                    if (entry.Value is not ConfigScalar { IsNull: false } scalar)
                    {
                        _errors.Add(entry.Value, path, $"expected a string value, got {entry.Value.Describe()}");
                        continue;
                    }

                    if (SecretHeuristics.IsSecretKey(name) && SecretRef.IsRelativeFile(scalar.Value))
                    {
                        _errors.Add(scalar, path, $"'{name}' names a secret, and a file: secret reference needs an absolute path ({SecretRef.Forms})");
                        continue;
                    }

                    if (SecretHeuristics.IsSecretKey(name) && !SecretRef.TryParse(scalar.Value, out _))
                    {
                        _errors.AddSecret(scalar, path, $"'{name}' names a secret, so it must be a secret reference (env:NAME or file:/path); inline secret values are refused");
                        continue;
                    }

                    settings[name] = scalar.Value;
                }

                return settings;
            }

            default:
                _errors.Add(node, PathOf(key), $"expected a mapping of settings, got {node.Describe()}");
                return null;
        }
    }

    public MappingReader? Mapping(string key, IReadOnlyCollection<string> knownKeys, bool required = false)
    {
        var node = Get(key);
        if (node is null || node is ConfigScalar { IsNull: true })
        {
            if (required)
            {
                ReportMissing(key);
            }

            return null;
        }

        return Over(node, PathOf(key), knownKeys, _errors, _map);
    }

    /// <summary>The items of a list with their paths (<c>key[i]</c>); empty when absent or wrong.</summary>
    public IReadOnlyList<(ConfigNode Node, string Path)> Sequence(string key)
    {
        var node = Get(key);
        switch (node)
        {
            case null or ConfigScalar { IsNull: true }:
                return [];
            case ConfigSequence sequence:
            {
                var items = new List<(ConfigNode, string)>();
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    var path = ConfigPath.Index(PathOf(key), i);
                    _map.Add(path, sequence.Items[i].Line, sequence.Items[i].Column);
                    items.Add((sequence.Items[i], path));
                }

                return items;
            }

            default:
                _errors.Add(node, PathOf(key), $"expected a list, got {node.Describe()}");
                return [];
        }
    }

    private ConfigScalar? Scalar(string key, bool required, string expected)
    {
        var node = Get(key);
        switch (node)
        {
            case null:
                if (required)
                {
                    ReportMissing(key);
                }

                return null;
            case ConfigScalar { IsNull: true }:
                _errors.Add(node, PathOf(key), $"has no value; expected {expected}");
                return null;
            case ConfigScalar scalar:
                return _errors.IsSecret(scalar) ? null : scalar;
            default:
                _errors.Add(node, PathOf(key), $"expected {expected}, got {node.Describe()}");
                return null;
        }
    }

    private static string Quote(ConfigScalar scalar) =>
        scalar.IsPlain ? $"'{scalar.Value}'" : $"the quoted string \"{scalar.Value}\"";
}
