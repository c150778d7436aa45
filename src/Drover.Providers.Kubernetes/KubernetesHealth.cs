using System.Globalization;
using Drover.Core.Adapters;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// The provider's health from its informer's last reading (docs/providers/kubernetes.md, "Health"). Pure: the same
/// reading at the same time gives the same answer.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>down</b>: no list has succeeded since start, or the last list failed and the API server has not answered
/// for longer than <see cref="PodInformerOptions.DownAfter"/>; also when the informer is not running.</item>
/// <item><b>degraded</b>: the last list failed but the API server answered within that bound, or the watch keeps
/// restarting (failures in a row since the last healthy watch) while lists succeed.</item>
/// <item><b>ok</b>: listed, and the watch is open with no failure since it last proved healthy.</item>
/// </list>
/// </remarks>
internal static class KubernetesHealth
{
    /// <summary>The component kind reported.</summary>
    public const string Kind = "provider";

    /// <summary>The health of provider <paramref name="name"/> given <paramref name="status"/> at <paramref name="now"/>.</summary>
    public static ComponentHealth From(string name, string @namespace, PodInformerStatus status, DateTimeOffset now, TimeSpan downAfter)
    {
        ArgumentNullException.ThrowIfNull(status);
        var running = status.State is not (WatchState.NotStarted or WatchState.Stopped);
        var health = !running || status.LastSuccess is null || (!status.Synced && now - status.LastSuccess > downAfter)
            ? ComponentStatus.Down
            : !status.Synced || status.Failures > 0 ? ComponentStatus.Degraded : ComponentStatus.Ok;
        var details = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["namespace"] = @namespace,
            ["reachable"] = status.Reachable ? "yes" : "no",
            ["watch"] = Describe(status),
            ["lastList"] = status.LastList is { } listed ? Time(listed) : "never",
            ["pods"] = status.Pods.ToString(CultureInfo.InvariantCulture),
            ["failures"] = status.Failures.ToString(CultureInfo.InvariantCulture),
        };
        var showError = !status.Synced || status.Failures > 0;
        return new ComponentHealth(Kind, name, health)
        {
            LastSuccess = status.LastSuccess,
            LastError = showError ? status.LastError : null,
            LastErrorAt = showError ? status.LastErrorAt : null,
            Details = details,
        };
    }

    /// <summary>The watch state as the health details show it.</summary>
    public static string Describe(PodInformerStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return status.State switch
        {
            WatchState.NotStarted => "not started",
            WatchState.Listing => "listing",
            WatchState.Relisting => "relisting",
            WatchState.Watching => "watching",
            WatchState.Synced => "synced",
            WatchState.BackingOff => status.BackingOffUntil is { } until ? $"backing-off until {Time(until)}" : "backing-off",
            _ => "stopped",
        };
    }

    /// <summary>A time as the health details and messages write it.</summary>
    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
