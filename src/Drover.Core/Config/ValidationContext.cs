namespace Drover.Core.Config;

/// <summary>What every semantic rule works on: the bound configuration, where its fields were written, and the sink.</summary>
internal sealed class ValidationContext
{
    private readonly ConfigErrorCollector _errors;

    public ValidationContext(BoundFleet bound, ConfigSourceMap map, ConfigErrorCollector errors, FleetConfigValidationOptions options)
    {
        Bound = bound;
        Map = map;
        _errors = errors;
        Options = options;
    }

    public BoundFleet Bound { get; }

    public FleetConfig Config => Bound.Config;

    public ConfigSourceMap Map { get; }

    public FleetConfigValidationOptions Options { get; }

    public void Report(string path, string message) => _errors.Add(Map.Locate(path), path, message);

    /// <summary>Records a warning: the configuration works, but not entirely as it may read.</summary>
    public void Warn(string path, string message) => _errors.Warn(Map.Locate(path), path, message);

    /// <summary>The forge a pool refers to, when it exists and was bound without problems.</summary>
    public ForgeConfig? CompleteForge(string name)
    {
        for (var i = 0; i < Config.Forges.Count; i++)
        {
            if (Config.Forges[i].Name == name && name.Length > 0)
            {
                return Bound.IncompleteForges.Contains(i) ? null : Config.Forges[i];
            }
        }

        return null;
    }

    public static string List(IEnumerable<string> names) => string.Join(", ", names.Where(n => n.Length > 0).Order(StringComparer.Ordinal));
}
