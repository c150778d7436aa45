using System.Collections.Concurrent;
using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Planning;
using Drover.Engine.Execution;
using Drover.Testing.GitHub;

namespace Drover.EndToEnd.Tests.Support;

/// <summary>
/// A provider for tests whose instances are <see cref="StandInRunner"/> tasks: a create takes the runner's JIT config
/// out of the vault and starts a stand-in runner with it; the instance is gone once the runner exits (after its one
/// job) or is deleted. Creates are idempotent by key.
/// </summary>
public sealed class StandInProvider(string name, RunnerCredentialVault vault, TimeProvider time) : IProvider
{
    private readonly ConcurrentDictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _creates = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, long Timestamp)> _createdAt = new();
    private int _next;

    /// <inheritdoc/>
    public string Name => name;

    /// <summary>Create calls per idempotency key.</summary>
    public IReadOnlyDictionary<string, int> Creates => _creates;

    /// <summary>When each create call arrived (<see cref="TimeProvider.GetTimestamp"/> of <see cref="TimeProvider.System"/>).</summary>
    public IReadOnlyList<(string Key, long Timestamp)> CreatedAt => [.. _createdAt];

    /// <summary>Called at the start of every create, before anything else.</summary>
    public Action<InstanceRequest>? OnCreate { get; set; }

    /// <summary>False: instances never start their runner (they stay booting until deleted), for measuring the create path alone.</summary>
    public bool StartRunners { get; init; } = true;

    /// <summary>Instances alive now.</summary>
    public int Alive => _instances.Count;

    /// <inheritdoc/>
    public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        _createdAt.Enqueue((request.IdempotencyKey, TimeProvider.System.GetTimestamp()));
        OnCreate?.Invoke(request);
        _creates.AddOrUpdate(request.IdempotencyKey, 1, (_, n) => n + 1);
        if (_instances.TryGetValue(request.IdempotencyKey, out var existing))
        {
            return Task.FromResult(existing.Id);
        }

        var credential = vault.Take(request.CredentialRef)
            ?? throw new InvalidOperationException($"no credential in the vault for {request.IdempotencyKey}");
        var stop = new CancellationTokenSource();
        var instance = new Instance($"i-{Interlocked.Increment(ref _next).ToString(CultureInfo.InvariantCulture)}", request.IdempotencyKey, request.Pool, time.GetUtcNow(), stop);
        _instances[request.IdempotencyKey] = instance;
        if (!StartRunners)
        {
            return Task.FromResult(instance.Id);
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await StandInRunner.RunAsync(credential.Reveal(), stop.Token);
            }
            catch (Exception)
            {
                // A runner that cannot start exits, as a crashed process would.
            }
            finally
            {
                _instances.TryRemove(request.IdempotencyKey, out _);
            }
        }, CancellationToken.None);
        return Task.FromResult(instance.Id);
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        foreach (var instance in _instances.Values.Where(i => i.Id == instanceId))
        {
            instance.Stop.Cancel();
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ProviderInstance>>([.. _instances.Values.Select(i => new ProviderInstance
        {
            Provider = name, InstanceId = i.Id, IdempotencyKey = i.Key, Pool = i.Pool, CreatedAt = i.CreatedAt,
        })]);

    private sealed record Instance(string Id, string Key, string Pool, DateTimeOffset CreatedAt, CancellationTokenSource Stop);
}
