using Microsoft.Extensions.Logging;

namespace Drover.Server.Api;

/// <summary>What instances report while they boot (source-generated). Never pass a token or a credential to these.</summary>
internal static partial class BootstrapLog
{
    [LoggerMessage(EventId = 6140, Level = LogLevel.Information, Message = "Instance of runner {RunnerName} (pool {Pool}) reports {Status}: {Message}")]
    public static partial void Status(ILogger logger, string runnerName, string pool, string status, string message);

    [LoggerMessage(EventId = 6141, Level = LogLevel.Warning, Message = "Instance of runner {RunnerName} (pool {Pool}) reports {Status}, which does not follow {Previous}; refused")]
    public static partial void StatusRefused(ILogger logger, string runnerName, string pool, string status, string previous);

    [LoggerMessage(EventId = 6142, Level = LogLevel.Information, Message = "Instance of runner {RunnerName} (pool {Pool}) runs {OsName} {OsVersion}")]
    public static partial void SystemInfo(ILogger logger, string runnerName, string pool, string osName, string osVersion);

    [LoggerMessage(EventId = 6143, Level = LogLevel.Warning, Message = "Instance of runner {RunnerName} (pool {Pool}) reports its bootstrap failed: {Message}")]
    public static partial void Failed(ILogger logger, string runnerName, string pool, string message);
}
