using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>The server host's log messages: configuration reloads and scheduled backups (source-generated). Never pass secrets to these.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 6101, Level = LogLevel.Information, Message = "Configuration reloaded by {Actor}: {Pools} pools")]
    public static partial void ConfigReloaded(ILogger logger, string actor, int pools);

    [LoggerMessage(EventId = 6102, Level = LogLevel.Warning, Message = "Configuration reload by {Actor} refused: {Problem}")]
    public static partial void ConfigReloadRefused(ILogger logger, string actor, string problem);

    [LoggerMessage(EventId = 6103, Level = LogLevel.Information, Message = "Watching {File} for configuration changes")]
    public static partial void WatchingConfigFile(ILogger logger, string file);

    [LoggerMessage(EventId = 6104, Level = LogLevel.Error, Message = "Configuration file reload could not record its outcome")]
    public static partial void ConfigFileReloadNotRecorded(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6105, Level = LogLevel.Information, Message = "Backup written: {Path} ({Bytes} bytes)")]
    public static partial void BackupWritten(ILogger logger, string path, long bytes);

    [LoggerMessage(EventId = 6106, Level = LogLevel.Error, Message = "Scheduled backup to {Path} failed: {Error}; retried in {Delay}")]
    public static partial void BackupFailed(ILogger logger, string path, string error, TimeSpan delay);

    [LoggerMessage(EventId = 6107, Level = LogLevel.Information, Message = "Old backup deleted: {Path}")]
    public static partial void OldBackupDeleted(ILogger logger, string path);

    [LoggerMessage(EventId = 6120, Level = LogLevel.Warning, Message = "Shutdown: the leader's drain did not finish within {Seconds} s; what is left is adopted or cleaned up at the next start")]
    public static partial void ShutdownDrainTimedOut(ILogger logger, double seconds);

    [LoggerMessage(EventId = 6121, Level = LogLevel.Warning, Message = "Shutdown: the leader's drain failed ({Type}: {Reason}); what is left is adopted or cleaned up at the next start")]
    public static partial void ShutdownDrainFailed(ILogger logger, string type, string reason);

    [LoggerMessage(EventId = 6130, Level = LogLevel.Information, Message = "Budget {Budget}: alert for the {Threshold} threshold posted")]
    public static partial void BudgetNotified(ILogger logger, string budget, decimal threshold);

    [LoggerMessage(EventId = 6131, Level = LogLevel.Warning, Message = "Budget {Budget}: the alert could not be posted to the URL in {Reference} after retries ({Failure}); the budget.threshold or budget.exhausted event has it")]
    public static partial void BudgetNotificationFailed(ILogger logger, string budget, string reference, string failure);

    [LoggerMessage(EventId = 6132, Level = LogLevel.Warning, Message = "Budget {Budget}: an alert was dropped, too many waiting to be posted")]
    public static partial void BudgetNotificationDropped(ILogger logger, string budget);

    [LoggerMessage(EventId = 6150, Level = LogLevel.Information, Message = "TLS certificate reloaded: {Subject}, valid until {NotAfter:u}")]
    public static partial void TlsCertificateReloaded(ILogger logger, string subject, DateTime notAfter);

    [LoggerMessage(EventId = 6151, Level = LogLevel.Warning, Message = "TLS certificate files changed but cannot be loaded ({Reason}); the previous certificate stays in use")]
    public static partial void TlsCertificateReloadFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 8300, Level = LogLevel.Information, Message = "OpenTelemetry: exporting traces to {Traces} and metrics to {Metrics} over {Protocol} as service {ServiceName}")]
    public static partial void OpenTelemetryExporting(ILogger logger, string traces, string metrics, string protocol, string serviceName);
}
