using Microsoft.Extensions.Logging;

namespace Drover.Providers.Kubernetes;

/// <summary>The provider's log messages. Never a credential: only names, reasons and API statuses.</summary>
internal static partial class KubernetesProviderLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod {Pod} of pool {Pool} created in {Namespace}")]
    public static partial void Created(ILogger logger, string provider, string pod, string pool, string @namespace);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod watch ended (410 Gone: the resource version is too old); listing again")]
    public static partial void WatchCompacted(ILogger logger, string provider);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod {Pod} finished; deleting it and its secret")]
    public static partial void Finished(ILogger logger, string provider, string pod);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: pool {Pool} falls back to on-demand nodes for {Minutes} min after {Count} spot pods could not be scheduled")]
    public static partial void SpotFallback(ILogger logger, string provider, string pool, int count, double minutes);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: cleaning up finished pod {Pod} failed: {Reason}")]
    public static partial void CleanupFailed(ILogger logger, string provider, string pod, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Warning, Message = "Kubernetes provider {Provider}: pod {Operation} failed: {Reason}; retrying with backoff (next in {Seconds:0.#} s, doubling up to {CapSeconds:0} s); logged again when it recovers")]
    public static partial void Failing(ILogger logger, string provider, string operation, string reason, double seconds, double capSeconds);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "Kubernetes provider {Provider}: pod {Operation} failed again ({Failures} in a row): {Reason}; next attempt in {Seconds:0.#} s")]
    public static partial void StillFailing(ILogger logger, string provider, string operation, int failures, string reason, double seconds);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Information, Message = "Kubernetes provider {Provider}: pod list and watch recovered after {Failures} failed attempts over {Seconds:0} s")]
    public static partial void Recovered(ILogger logger, string provider, int failures, double seconds);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Debug, Message = "Kubernetes provider {Provider}: pod watch ended after {Events} events; resuming from resource version {Version}")]
    public static partial void WatchResumed(ILogger logger, string provider, int events, string version);
}
