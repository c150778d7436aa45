namespace Drover.Providers.Kubernetes;

/// <summary>How a runner pod runs job containers (the modes ARC documents).</summary>
internal enum ContainerMode
{
    /// <summary>The runner container alone; jobs run in it.</summary>
    Plain,

    /// <summary>A privileged Docker daemon sidecar; the runner reaches it through <c>DOCKER_HOST</c> on a shared socket volume.</summary>
    Dind,

    /// <summary>Container hooks start job containers as pods of their own; the work directory is an ephemeral volume claim.</summary>
    Kubernetes,
}
