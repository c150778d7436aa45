namespace Drover.Core.Config;

/// <summary>
/// Gathers every problem found while loading one file. Nodes that hold an inline secret are reported once, by the
/// secret check, and any further message about them is dropped so that nothing can echo their value.
/// </summary>
internal sealed class ConfigErrorCollector
{
    private readonly List<ConfigError> _errors = [];
    private readonly HashSet<ConfigNode> _secretNodes = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<string> _secretPaths = new(StringComparer.Ordinal);

    public ConfigErrorCollector(string file)
    {
        File = file;
    }

    public string File { get; }

    public IReadOnlyList<ConfigError> Errors => _errors;

    public int Count => _errors.Count;

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

    public bool IsSecret(ConfigNode node) => _secretNodes.Contains(node);

    /// <summary>All errors ordered by position in the file, then path.</summary>
    public IReadOnlyList<ConfigError> Sorted() =>
        [.. _errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ThenBy(e => e.Path, StringComparer.Ordinal)];
}
