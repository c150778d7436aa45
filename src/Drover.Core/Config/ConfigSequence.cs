namespace Drover.Core.Config;

/// <summary>A YAML sequence (list).</summary>
internal sealed class ConfigSequence : ConfigNode
{
    public ConfigSequence(IReadOnlyList<ConfigNode> items, int line, int column)
        : base(line, column)
    {
        Items = items;
    }

    public IReadOnlyList<ConfigNode> Items { get; }

    public override string Describe() => "a list";
}
