using System.Collections.Concurrent;
using System.Diagnostics;
using Drover.Core.Adapters;
using Drover.Core.Planning;

namespace Drover.Benchmarks.Scale;

/// <summary>
/// The burst benchmark's provider: a create is answered at once and noted with its time; the instance "boots" for
/// <c>boot</c> and then its runner comes online at the forge (<c>online</c>, given the runner's name). Nothing runs.
/// </summary>
internal sealed class BurstProvider(string name, RunnerCredentialVault vault, TimeProvider time, TimeSpan boot, Action<string> online) : IProvider
{
    private const string VaultPrefix = "vault:";
    private readonly ConcurrentDictionary<string, ProviderInstance> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<long> _createdAt = new();
    private int _next;

    public string Name => name;

    /// <summary>When each first create arrived (<see cref="Stopwatch.GetTimestamp"/>).</summary>
    public IReadOnlyList<long> CreatedAt => [.. _createdAt];

    public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_instances.TryGetValue(request.IdempotencyKey, out var existing))
        {
            return Task.FromResult(existing.InstanceId);
        }

        _createdAt.Enqueue(Stopwatch.GetTimestamp());
        _ = vault.Take(request.CredentialRef);
        var id = "i-" + Interlocked.Increment(ref _next);
        _instances[request.IdempotencyKey] = new ProviderInstance
        {
            Provider = name,
            InstanceId = id,
            IdempotencyKey = request.IdempotencyKey,
            Pool = request.Pool,
            CreatedAt = time.GetUtcNow(),
        };
        var runnerName = request.CredentialRef.StartsWith(VaultPrefix, StringComparison.Ordinal) ? request.CredentialRef[VaultPrefix.Length..] : request.CredentialRef;
        _ = Task.Run(async () =>
        {
            await Task.Delay(boot, time, CancellationToken.None);
            online(runnerName);
        }, CancellationToken.None);
        return Task.FromResult(id);
    }

    public Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        foreach (var (key, instance) in _instances)
        {
            if (instance.InstanceId == instanceId)
            {
                _instances.TryRemove(key, out _);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstance>>([.. _instances.Values]);
}
