namespace Drover.Core.Config;

/// <summary>
/// One problem in a fleet configuration file. <see cref="Line"/> and <see cref="Column"/> are 1-based; both are 0
/// when the problem concerns the whole file (it cannot be read, or it is empty). <see cref="Path"/> names the field,
/// e.g. <c>pools[2].schedules[0].timezone</c>. Messages never contain secret values.
/// </summary>
public sealed record ConfigError(string File, int Line, int Column, string Path, string Message)
{
    /// <summary><c>file:line:col: path: message</c>, leaving out the parts that are unknown.</summary>
    public override string ToString()
    {
        var location = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return Path.Length > 0 ? $"{location}: {Path}: {Message}" : $"{location}: {Message}";
    }
}
