using System.Globalization;
using Drover.Core.Adapters;
using Drover.Core.Planning;

namespace Drover.Simulation.Demo;

/// <summary>
/// A simulated provider: an instance boots for a random time between <see cref="DemoOptions.BootMin"/> and
/// <see cref="DemoOptions.BootMax"/>, then its runner registers with the pool's simulated forge using the
/// credential the create request referenced. Creates are idempotent on the key. A busy instance can be reclaimed
/// (a spot interruption: <see cref="DemoOptions.SpotInterruptionRate"/>, or <see cref="DemoWorld.Interrupt"/>); it is then
/// listed as lost (<see cref="InstanceFailureKind.Lost"/>) until deleted.
/// </summary>
public sealed class DemoProvider : IProvider
{
    private readonly DemoWorld _world;
    private readonly Dictionary<string, Instance> _instances = new(StringComparer.Ordinal);
    private int _next;

    internal DemoProvider(DemoWorld world, string name)
    {
        _world = world;
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_world.Sync)
        {
            if (_instances.Values.FirstOrDefault(i => i.Key == request.IdempotencyKey) is { } existing)
            {
                return Task.FromResult(existing.Id);
            }

            var credential = _world.Vault?.Take(request.CredentialRef)
                ?? throw new InvalidOperationException($"credential reference {request.CredentialRef} cannot be resolved");
            var now = _world.Time.GetUtcNow();
            var id = string.Create(CultureInfo.InvariantCulture, $"{Name}-{++_next:D4}");
            _instances[id] = new Instance(id, request.IdempotencyKey, request.Pool, now, now + _world.BootTime(), credential);
            return Task.FromResult(id);
        }
    }

    /// <inheritdoc/>
    public Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        lock (_world.Sync)
        {
            if (_instances.Remove(instanceId, out var instance))
            {
                _world.InstanceStopped(instance.Pool, instance.Key);
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        lock (_world.Sync)
        {
            IReadOnlyList<ProviderInstance> list = [.. _instances.Values.Select(i => new ProviderInstance
            {
                Provider = Name, InstanceId = i.Id, IdempotencyKey = i.Key, Pool = i.Pool, CreatedAt = i.CreatedAt,
                Failure = i.Interrupted ? "spot interruption: the instance was reclaimed" : null,
                FailureKind = i.Interrupted ? InstanceFailureKind.Lost : InstanceFailureKind.Unusable,
            })];
            return Task.FromResult(list);
        }
    }

    /// <summary>Boots every instance whose boot time has passed; reclaims busy ones at the spot interruption rate.</summary>
    internal void Tick(DateTimeOffset now, TimeSpan elapsed, double interruptionRate)
    {
        if (interruptionRate > 0 && elapsed > TimeSpan.Zero)
        {
            var chance = interruptionRate * elapsed.TotalHours;
            foreach (var instance in _instances.Values.Where(i => i.Booted && !i.Interrupted && _world.IsBusy(i.Pool, i.Key)).ToList())
            {
                if (_world.NextDouble() < chance)
                {
                    Interrupt(instance.Id);
                }
            }
        }

        foreach (var instance in _instances.Values.Where(i => !i.Booted && i.BootedAt <= now).ToList())
        {
            instance.Booted = true;
            if (!_world.RegisterRunner(instance.Pool, instance.Key, instance.Credential, now))
            {
                _instances.Remove(instance.Id);
            }
        }
    }

    /// <summary>Reclaims the instance (a spot interruption): its runner dies under its job; false when there is no such instance.</summary>
    internal bool Interrupt(string instanceId)
    {
        if (!_instances.TryGetValue(instanceId, out var instance) || instance.Interrupted)
        {
            return false;
        }

        instance.Interrupted = true;
        _world.InstanceInterrupted(instance.Pool, instance.Key);
        return true;
    }

    /// <summary>The runner of the instance keyed <paramref name="key"/> exited; the instance stops with it.</summary>
    internal void RunnerExited(string key)
    {
        foreach (var instance in _instances.Values.Where(i => i.Key == key && !i.Interrupted).ToList())
        {
            _instances.Remove(instance.Id);
        }
    }

    private sealed class Instance(string id, string key, string pool, DateTimeOffset createdAt, DateTimeOffset bootedAt, RunnerCredential credential)
    {
        public string Id { get; } = id;

        public string Key { get; } = key;

        public string Pool { get; } = pool;

        public DateTimeOffset CreatedAt { get; } = createdAt;

        public DateTimeOffset BootedAt { get; } = bootedAt;

        public RunnerCredential Credential { get; } = credential;

        public bool Booted { get; set; }

        public bool Interrupted { get; set; }
    }
}
