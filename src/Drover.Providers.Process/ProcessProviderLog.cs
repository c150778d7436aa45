using Microsoft.Extensions.Logging;

namespace Drover.Providers.Process;

/// <summary>The process provider's log messages (source-generated). Never pass a credential to these.</summary>
internal static partial class ProcessProviderLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} of pool {Pool} started as process {ProcessId} in {Directory}")]
    public static partial void Started(ILogger logger, string provider, string runnerName, string pool, int processId, string directory);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} exited with code {ExitCode}; log {LogPath}")]
    public static partial void Exited(ILogger logger, string provider, string runnerName, int exitCode, string logPath);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Provider {Provider}: runner {RunnerName} stopped by delete (exit code {ExitCode}); log {LogPath}")]
    public static partial void Stopped(ILogger logger, string provider, string runnerName, int exitCode, string logPath);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Provider {Provider}: cleaning up after runner {RunnerName} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string provider, string runnerName, string reason);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Warning, Message = "Provider {Provider}: output of runner {RunnerName} was still open {Seconds}s after it exited (a child process may hold it); log closed")]
    public static partial void OutputNotDrained(ILogger logger, string provider, string runnerName, double seconds);
}
