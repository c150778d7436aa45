using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>How <c>drover serve</c> writes its logs (<c>--log-format</c>, <c>--log-level</c>).</summary>
public sealed record LoggingOptions
{
    /// <summary>One line per record on standard output: <see cref="LogFormat.Text"/> (default) or <see cref="LogFormat.Json"/>.</summary>
    public LogFormat Format { get; init; } = LogFormat.Text;

    /// <summary>The least severe level written. Default <see cref="LogLevel.Information"/>.</summary>
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    /// <summary>
    /// More log providers next to the console one, for embedding (tests capture every record this way); null: none.
    /// </summary>
    public Action<ILoggingBuilder>? AddProviders { get; init; }

    /// <summary>The names <c>--log-level</c> accepts, most verbose first.</summary>
    public static IReadOnlyList<string> LevelNames { get; } = ["trace", "debug", "information", "warning", "error", "critical", "none"];

    /// <summary>The level named <paramref name="name"/> (one of <see cref="LevelNames"/>, any case); false for another word.</summary>
    public static bool TryParseLevel(string? name, out LogLevel level)
    {
        var index = LevelNames.ToList().FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
        level = index < 0 ? LogLevel.Information : (LogLevel)index;
        return index >= 0;
    }
}
