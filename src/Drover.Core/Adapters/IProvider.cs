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
    /// True when the instances run on this host and cannot outlive it or be adopted by a replica elsewhere (local
    /// processes): on a graceful shutdown the leader ends their idle and booting runners. False (the default): the
    /// instances outlive this process and whichever replica leads next lists and adopts them.
    /// </summary>
    bool InstancesAreHostBound => false;
}
