using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// The calls the provider makes to one namespace of one cluster, and nothing else: the narrow port the informer, the
/// provider and the reaper are written against. <see cref="KubernetesPodApi"/> implements it over the official client;
/// the tests have an in-memory fake.
/// </summary>
/// <remarks>
/// A refusal by the API server (any non-success status, and a watch's <c>ERROR</c> event) is thrown as a
/// <see cref="KubernetesApiException"/> with the status and the server's own words. A call that got no answer (connection
/// refused, reset, timed out) throws what the transport threw (<see cref="HttpRequestException"/>, <see cref="IOException"/>,
/// ...). Deletes of what is already gone succeed.
/// </remarks>
internal interface IPodApi : IDisposable
{
    /// <summary>The pods matching <paramref name="labelSelector"/>, and the resource version to watch from.</summary>
    Task<PodListing> ListPodsAsync(string labelSelector, CancellationToken cancellationToken);

    /// <summary>
    /// The changes to the pods matching <paramref name="labelSelector"/> after <paramref name="resourceVersion"/>, until
    /// the API server ends the watch (after about <paramref name="timeout"/>). A compacted version fails with
    /// <c>410 Gone</c>.
    /// </summary>
    IAsyncEnumerable<PodWatchEvent> WatchPodsAsync(string labelSelector, string resourceVersion, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Creates <paramref name="pod"/>; one of that name already there fails with <c>409 Conflict</c>.</summary>
    Task<V1Pod> CreatePodAsync(V1Pod pod, CancellationToken cancellationToken);

    /// <summary>The pod called <paramref name="name"/>, or null when there is none.</summary>
    Task<V1Pod?> ReadPodAsync(string name, CancellationToken cancellationToken);

    /// <summary>Deletes a pod; false when it was already gone.</summary>
    Task<bool> DeletePodAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates <paramref name="secret"/>; one of that name already there fails with <c>409 Conflict</c>.</summary>
    Task CreateSecretAsync(V1Secret secret, CancellationToken cancellationToken);

    /// <summary>Deletes a secret; false when it was already gone.</summary>
    Task<bool> DeleteSecretAsync(string name, CancellationToken cancellationToken);

    /// <summary>Creates <paramref name="claim"/>; one of that name already there fails with <c>409 Conflict</c>.</summary>
    Task CreateClaimAsync(V1PersistentVolumeClaim claim, CancellationToken cancellationToken);
}
