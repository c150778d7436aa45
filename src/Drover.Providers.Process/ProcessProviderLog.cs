using Microsoft.Extensions.Logging;

namespace Drover.Providers.Process;

/// <summary>The process provider's log messages (source-generated). Never pass a credential to these.</summary>
internal static partial class ProcessProviderLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} of pool {Pool} started as process {ProcessId} in {Directory}")]
    public static partial void Started(ILogger logger, string provider, string runnerName, string pool, int processId, string directory);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} exited with code {ExitCode} (-1: unknown); log {LogPath}")]
    public static partial void Exited(ILogger logger, string provider, string runnerName, int exitCode, string logPath);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} stopped by delete (exit code {ExitCode}); log {LogPath}")]
    public static partial void Stopped(ILogger logger, string provider, string runnerName, int exitCode, string logPath);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Provider {Provider}: cleaning up after runner {RunnerName} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string provider, string runnerName, string reason);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Provider {Provider}: adopted runner {RunnerName} of pool {Pool}, still running as process {ProcessId} from an earlier Drover process")]
    public static partial void Adopted(ILogger logger, string provider, string runnerName, string pool, int processId);

    [LoggerMessage(EventId = 3007, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} ended while no Drover process watched it (exit code {ExitCode}; -1: unknown); log {LogPath}")]
    public static partial void EndedUnwatched(ILogger logger, string provider, string runnerName, int exitCode, string logPath);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Provider {Provider}: the runner record {Path} cannot be read; it is left in place and its runner is not adopted")]
    public static partial void RegistryUnreadable(ILogger logger, string provider, string path);
}
