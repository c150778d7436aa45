using Drover.Core.Adapters;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// How long the informer waits before its next list or watch after <c>n</c> failures in a row: doubling from
/// <see cref="PodInformerOptions.BackoffBase"/> up to <see cref="PodInformerOptions.BackoffCap"/>, each wait shortened by a
/// random part of up to <see cref="Jitter"/> of itself, so that replicas and clusters that failed together do not all
/// call again at the same moment. Never longer than the cap.
/// </summary>
internal static class WatchBackoff
{
    /// <summary>The largest share of a wait that jitter takes off.</summary>
    public const double Jitter = 0.2;

    /// <summary>The wait after <paramref name="failures"/> failures in a row (1 or more), with <paramref name="random"/>'s jitter.</summary>
    public static TimeSpan Delay(int failures, TimeSpan initial, TimeSpan cap, Random random) =>
        PollBackoff.Exponential(failures, initial, cap) * (1 - (Jitter * PollBackoff.Share(random)));
}
