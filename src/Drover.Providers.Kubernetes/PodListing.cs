using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>The answer to a list of pods: the pods, and the resource version a watch continues from.</summary>
/// <param name="Pods">The pods.</param>
/// <param name="ResourceVersion">The list's resource version; null when the server gave none.</param>
internal sealed record PodListing(IReadOnlyList<V1Pod> Pods, string? ResourceVersion);
