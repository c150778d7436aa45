namespace Drover.Core.Config;

/// <summary>A node of a parsed YAML document that remembers where it was written (1-based line and column).</summary>
internal abstract class ConfigNode
{
    protected ConfigNode(int line, int column)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }

    public int Column { get; }

    /// <summary>A short noun for error messages: "a mapping", "a list", "a string".</summary>
    public abstract string Describe();
}
