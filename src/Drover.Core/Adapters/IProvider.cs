using Drover.Core.Planning;

namespace Drover.Core.Adapters;

/// <summary>
/// Where runner instances run (Kubernetes, a cloud, local processes, the demo world). Every call is
/// idempotent: a create repeated with the same <see cref="InstanceRequest.IdempotencyKey"/> returns the
/// instance the first call made instead of making a second one.
/// </summary>
public interface IProvider
{
    /// <summary>The provider's name in the fleet configuration.</summary>
    string Name { get; }

    /// <summary>Creates (or finds, by idempotency key) the instance for one runner and returns its id.</summary>
    Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken);

    /// <summary>Deletes an instance; deleting one that is already gone succeeds.</summary>
    Task DeleteAsync(string instanceId, CancellationToken cancellationToken);

    /// <summary>The instances this controller owns, with the idempotency key each was created with.</summary>
    Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The id of the instance made under <paramref name="idempotencyKey"/>, or null when there is none: asked when a
    /// create failed or a runner without a recorded instance is deleted, to rule out an instance a lost answer left.
    /// The answer must come from the provider's source of truth: the default lists; a provider whose list is a cache
    /// that can lag its own creates (a watch-fed pod cache) reads the instance directly. Throws when it cannot tell.
    /// </summary>
    async Task<string?> FindAsync(string idempotencyKey, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(i => i.IdempotencyKey == idempotencyKey)?.InstanceId;

    /// <summary>
    /// True when the instances run on this host and cannot outlive it or be adopted by a replica elsewhere (local
    /// processes): on a graceful shutdown the leader ends their idle and booting runners. False (the default): the
    /// instances outlive this process and whichever replica leads next lists and adopts them.
    /// </summary>
    bool InstancesAreHostBound => false;
}
