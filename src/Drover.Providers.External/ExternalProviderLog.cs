using Microsoft.Extensions.Logging;

namespace Drover.Providers.External;

/// <summary>The external provider's log messages (source-generated). Never pass a credential or a bootstrap token to these.</summary>
internal static partial class ExternalProviderLog
{
    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Provider {Provider}: {Executable} created instance {InstanceId} for runner {RunnerName} of pool {Pool} (status {Status})")]
    public static partial void Created(ILogger logger, string provider, string executable, string instanceId, string runnerName, string pool, string status);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Provider {Provider}: deleted instance {InstanceId}{NotFound}")]
    public static partial void Deleted(ILogger logger, string provider, string instanceId, string notFound);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Provider {Provider}: {Command} failed: {Reason}")]
    public static partial void CallFailed(ILogger logger, string provider, string command, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Debug, Message = "Provider {Provider}: {Command} wrote to stderr: {Stderr}")]
    public static partial void Stderr(ILogger logger, string provider, string command, string stderr);

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Provider {Provider}: cleaning up the instance of runner {RunnerName} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string provider, string runnerName, string reason);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Provider {Provider}: instance {InstanceId} of runner {RunnerName} stopped; deleted")]
    public static partial void Reaped(ILogger logger, string provider, string instanceId, string runnerName);
}
