namespace Drover.Core.Config;

/// <summary>A 1-based line and column in a configuration file.</summary>
public readonly record struct ConfigLocation(int Line, int Column);
