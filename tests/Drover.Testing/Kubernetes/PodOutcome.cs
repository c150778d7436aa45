namespace Drover.Testing.Kubernetes;

/// <summary>What the emulator's scheduler and kubelet do with a new pod.</summary>
public enum PodOutcome
{
    /// <summary>Scheduled and started; runs the <see cref="KubernetesEmulator.Kubelet"/> hook and ends with its exit code.</summary>
    Run,

    /// <summary>Stays Pending: PodScheduled False, reason Unschedulable.</summary>
    Unschedulable,

    /// <summary>Scheduled, but the image cannot be pulled (ErrImagePull, then ImagePullBackOff).</summary>
    ImagePullError,

    /// <summary>Scheduled and started, then evicted before its runner starts (phase Failed, reason Evicted).</summary>
    Evicted,
}
