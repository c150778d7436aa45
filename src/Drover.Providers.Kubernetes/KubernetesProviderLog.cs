using Microsoft.Extensions.Logging;

namespace Drover.Providers.Kubernetes;

/// <summary>The provider's log messages. Never a credential: only names, reasons and API statuses.</summary>
internal static partial class KubernetesProviderLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod {Pod} of pool {Pool} created in {Namespace}")]
    public static partial void Created(ILogger logger, string provider, string pod, string pool, string @namespace);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: pod watch ended ({Reason}); listing again")]
    public static partial void WatchRestarted(ILogger logger, string provider, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod {Pod} finished; deleting it and its secret")]
    public static partial void Finished(ILogger logger, string provider, string pod);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: pool {Pool} falls back to on-demand nodes for {Minutes} min after {Count} spot pods could not be scheduled")]
    public static partial void SpotFallback(ILogger logger, string provider, string pool, int count, double minutes);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: cleaning up finished pod {Pod} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string provider, string pod, string reason);
}
