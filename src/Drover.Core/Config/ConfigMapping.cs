namespace Drover.Core.Config;

/// <summary>A YAML mapping whose keys are strings, in file order.</summary>
internal sealed class ConfigMapping : ConfigNode
{
    public ConfigMapping(IReadOnlyList<ConfigMappingEntry> entries, int line, int column)
        : base(line, column)
    {
        Entries = entries;
    }

    public IReadOnlyList<ConfigMappingEntry> Entries { get; }

    public ConfigMappingEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key.Value == key);

    public override string Describe() => "a mapping";
}
