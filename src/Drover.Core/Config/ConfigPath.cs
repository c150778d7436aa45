namespace Drover.Core.Config;

/// <summary>Builds and splits field paths such as <c>pools[2].schedules[0].timezone</c>.</summary>
internal static class ConfigPath
{
    public static string Child(string parent, string key) => parent.Length == 0 ? key : $"{parent}.{key}";

    public static string Index(string parent, int index) => $"{parent}[{index}]";

    public static string Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut <= 0 ? string.Empty : path[..cut];
    }
}
