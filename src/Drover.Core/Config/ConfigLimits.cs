namespace Drover.Core.Config;

/// <summary>
/// How much a configuration file may hold. YAML aliases can make a few kilobytes stand for billions of nodes (the
/// "billion laughs"), so the reader counts the nodes a document expands to, aliases included, and refuses the file at
/// the place the budget ran out instead of walking the expansion. Fleet files are far below every limit: the example
/// fleet has about 150 nodes.
/// </summary>
public static class ConfigLimits
{
    /// <summary>Largest configuration file, in bytes (or characters when loaded from a string): 1 MiB.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Most nodes (scalars, lists and mappings) a document may stand for once every alias is expanded.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Deepest nesting of lists and mappings, counted through aliases.</summary>
    public const int MaxDepth = 64;
}
