namespace Drover.Core.Config;

/// <summary>
/// Gathers every problem found while loading one file. Nodes that hold an inline secret are reported once, by the
/// secret check, and any further message about them is dropped so that nothing can echo their value.
/// </summary>
internal sealed class ConfigErrorCollector
{
    private readonly List<ConfigError> _errors = [];
    private readonly List<ConfigError> _warnings = [];
    private readonly HashSet<ConfigNode> _secretNodes = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _secretPaths = new(StringComparer.Ordinal);
    private int _secretEncounters;

    public ConfigErrorCollector(string file)
    {
        File = file;
    }

    public string File { get; }

    public IReadOnlyList<ConfigError> Errors => _errors;

    /// <summary>Things that work but should change (deprecated keys), in file order; never make a load fail.</summary>
    public IReadOnlyList<ConfigError> Warnings =>
        [.. _warnings.OrderBy(e => e.Line).ThenBy(e => e.Column).ThenBy(e => e.Path, StringComparer.Ordinal)];

    /// <summary>Records a warning at <paramref name="location"/>.</summary>
    public void Warn(ConfigLocation location, string path, string message) =>
        _warnings.Add(new ConfigError(File, location.Line, location.Column, path, message));

    /// <summary>Grows with every problem found, including repeated encounters of an already reported inline secret.</summary>
    public int ProblemCount => _errors.Count + _secretEncounters;

    public void Add(ConfigNode node, string path, string message)
    {
        if (!_secretNodes.Contains(node))
        {
            _errors.Add(new ConfigError(File, node.Line, node.Column, path, message));
        }
    }

    /// <summary>Reports a problem found on the model; dropped when <paramref name="path"/> holds an inline secret.</summary>
    public void Add(ConfigLocation location, string path, string message)
    {
        if (!_secretPaths.Contains(path))
        {
            _errors.Add(new ConfigError(File, location.Line, location.Column, path, message));
        }
    }

    /// <summary>Reports an inline secret; later messages about the same node are suppressed.</summary>
    public void AddSecret(ConfigNode node, string path, string message)
    {
        _secretPaths.Add(path);
        if (_secretNodes.Add(node))
        {
            _errors.Add(new ConfigError(File, node.Line, node.Column, path, message));
        }
    }

    /// <summary>True when <paramref name="node"/> was reported as an inline secret; counts as a problem of the caller.</summary>
    public bool IsSecret(ConfigNode node)
    {
        if (!_secretNodes.Contains(node))
        {
            return false;
        }

        _secretEncounters++;
        return true;
    }

    /// <summary>All errors ordered by position in the file, then path.</summary>
    public IReadOnlyList<ConfigError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ThenBy(e => e.Path, StringComparer.Ordinal)];
}
