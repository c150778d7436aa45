using Drover.Core.Planning;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>What a runner pod's status means for its runner (docs/providers/kubernetes.md, "Status").</summary>
internal static class PodStatus
{
    private static readonly string[] PullErrors = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

    /// <summary>
    /// How long a container may wait with <c>CreateContainerConfigError</c> (its credential secret missing) before the pod
    /// is reported failed: the provider stores the secret moments after the pod, and the kubelet starts the container
    /// on its next try; a pod whose secret was never stored (the server stopped, or the store failed, in between) would
    /// otherwise boot for ever.
    /// </summary>
    public static readonly TimeSpan MissingConfigGrace = TimeSpan.FromSeconds(30);

    /// <summary>True when the runner in the pod has exited on its own after its job (the pod can go).</summary>
    public static bool Finished(V1Pod pod) => pod.Status?.Phase == "Succeeded";

    /// <summary>True when the scheduler has placed the pod on a node.</summary>
    public static bool Scheduled(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "True") == true;

    /// <summary>True when the pod is waiting because the scheduler cannot place it.</summary>
    public static bool Unschedulable(V1Pod pod) =>
        pod.Status?.Phase == "Pending" && pod.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true;

    /// <summary>Pod reasons that say the cluster took the pod away, not that it failed on its own.</summary>
    private static readonly string[] LostReasons = ["Evicted", "Preempting", "NodeLost", "NodeShutdown", "Terminated", "Shutdown"];

    /// <summary>
    /// Whether the failure <see cref="Failure"/> reports for the pod is the infrastructure's doing
    /// (<see cref="InstanceFailureKind.Lost"/>): evicted or preempted, its node lost or shut down, a disruption the
    /// cluster announced (<c>DisruptionTarget</c>), or a container killed by the OOM killer. A container that exited
    /// with an error of its own, or a pod that could never start, is <see cref="InstanceFailureKind.Unusable"/>.
    /// </summary>
    public static InstanceFailureKind FailureKind(V1Pod pod)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod.Status;
        if (status is null)
        {
            return InstanceFailureKind.Unusable;
        }

        var lost = (status.Reason is { } reason && LostReasons.Contains(reason, StringComparer.Ordinal))
            || Disruption(pod) is not null
            || status.ContainerStatuses?.Any(c => c.State?.Terminated?.Reason == "OOMKilled" || c.LastState?.Terminated?.Reason == "OOMKilled") == true;
        return lost ? InstanceFailureKind.Lost : InstanceFailureKind.Unusable;
    }

    /// <summary>The <c>DisruptionTarget</c> condition when the cluster is about to take the pod away, else null.</summary>
    private static V1PodCondition? Disruption(V1Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "DisruptionTarget" && c.Status == "True");

    /// <summary>
    /// Why the pod will never run a job, or null while it may: failed or evicted (at once), or about to be taken away
    /// (a <c>DisruptionTarget</c> condition); an image that cannot be pulled (after <paramref name="imagePullGrace"/>);
    /// its credential secret missing (<c>CreateContainerConfigError</c>, after <see cref="MissingConfigGrace"/>);
    /// unschedulable past <paramref name="unschedulableTimeout"/>. <see cref="FailureKind"/> says whose doing it is.
    /// </summary>
    public static string? Failure(V1Pod pod, DateTimeOffset now, TimeSpan unschedulableTimeout, TimeSpan imagePullGrace)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod.Status;
        if (status is null)
        {
            return null;
        }

        if (status.Phase != "Failed" && Disruption(pod) is { } disruption)
        {
            // The cluster announced it is taking the pod away (preemption, eviction, a tainted node): the runner goes with it.
            return $"DisruptionTarget: {disruption.Reason ?? "disruption"}{(disruption.Message is { } m ? $": {m}" : string.Empty)}";
        }

        if (status.Phase == "Failed")
        {
            var terminated = status.ContainerStatuses?.Select(c => c.State?.Terminated).FirstOrDefault(t => t is not null);
            var reason = status.Reason ?? terminated?.Reason ?? "Failed";
            var message = status.Message ?? terminated?.Message ?? (terminated is null ? null : $"exit code {terminated.ExitCode}");
            return message is null ? reason : $"{reason}: {message}";
        }

        if (status.Phase != "Pending")
        {
            return null;
        }

        var created = pod.Metadata?.CreationTimestamp is { } c ? new DateTimeOffset(DateTime.SpecifyKind(c, DateTimeKind.Utc)) : now;
        var waiting = status.ContainerStatuses?.Concat(status.InitContainerStatuses ?? []).Select(s => s.State?.Waiting).FirstOrDefault(w => w is not null && PullErrors.Contains(w.Reason));
        if (waiting is not null && now - created >= imagePullGrace)
        {
            return $"{waiting.Reason}: {waiting.Message ?? "the image cannot be pulled"}";
        }

        var config = status.ContainerStatuses?.Select(s => s.State?.Waiting).FirstOrDefault(w => w?.Reason == "CreateContainerConfigError");
        if (config is not null && now - created >= MissingConfigGrace)
        {
            return $"{config.Reason}: {config.Message ?? "the container's configuration (its credential secret) is missing"}";
        }

        var unschedulable = status.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable");
        if (unschedulable is not null)
        {
            var since = unschedulable.LastTransitionTime is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : created;
            if (now - since >= unschedulableTimeout)
            {
                return $"Unschedulable: {unschedulable.Message ?? "no node fits the pod"}";
            }
        }

        return null;
    }
}
