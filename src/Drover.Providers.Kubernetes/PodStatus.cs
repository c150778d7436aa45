using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>What a runner pod's status means for its runner (docs/providers/kubernetes.md, "Status").</summary>
internal static class PodStatus
{
    private static readonly string[] PullErrors = ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"];

    /// <summary>True when the runner in the pod has exited on its own after its job (the pod can go).</summary>
    public static bool Finished(V1Pod pod) => pod.Status?.Phase == "Succeeded";

    /// <summary>True when the scheduler has placed the pod on a node.</summary>
    public static bool Scheduled(V1Pod pod) =>
        pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "True") == true;

    /// <summary>True when the pod is waiting because the scheduler cannot place it.</summary>
    public static bool Unschedulable(V1Pod pod) =>
        pod.Status?.Phase == "Pending" && pod.Status.Conditions?.Any(c => c.Type == "PodScheduled" && c.Status == "False" && c.Reason == "Unschedulable") == true;

    /// <summary>
    /// Why the pod will never run a job, or null while it may: failed or evicted (at once); an image that cannot be
    /// pulled (after <paramref name="imagePullGrace"/>); unschedulable past <paramref name="unschedulableTimeout"/>.
    /// </summary>
    public static string? Failure(V1Pod pod, DateTimeOffset now, TimeSpan unschedulableTimeout, TimeSpan imagePullGrace)
    {
        ArgumentNullException.ThrowIfNull(pod);
        var status = pod.Status;
        if (status is null)
        {
            return null;
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
