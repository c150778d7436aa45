using k8s;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>One change seen by a pod watch: added, modified, deleted, or a bookmark that only moves the resource version on.</summary>
/// <param name="Type">What happened (never <see cref="WatchEventType.Error"/>: the port throws those).</param>
/// <param name="Pod">The pod as it is now (for a bookmark, only its resource version).</param>
internal readonly record struct PodWatchEvent(WatchEventType Type, V1Pod Pod);
