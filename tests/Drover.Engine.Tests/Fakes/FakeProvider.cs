using Drover.Core.Adapters;
using Drover.Core.Planning;

namespace Drover.Engine.Tests.Fakes;

/// <summary>An in-memory provider: idempotent creates by key, optional scripted failures.</summary>
public sealed class FakeProvider(string name, TimeProvider time) : IProvider
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ProviderInstance> _instances = new(StringComparer.Ordinal);
    private int _next;

    public string Name => name;

    /// <summary>As the process provider: instances live on this host, so a shutdown ends the idle and booting ones.</summary>
    public bool InstancesAreHostBound { get; set; }

    /// <summary>Runs before a create does anything; throw from it to fail the call.</summary>
    public Action<InstanceRequest>? BeforeCreate { get; set; }

    /// <summary>Runs after the instance exists; throw from it to lose the response.</summary>
    public Action<InstanceRequest>? AfterCreate { get; set; }

    public int CreateCalls { get; private set; }

    public IReadOnlyList<ProviderInstance> Instances
    {
        get
        {
            lock (_sync)
            {
                return [.. _instances.Values];
            }
        }
    }

    public Task<string> CreateAsync(InstanceRequest request, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            CreateCalls++;
            BeforeCreate?.Invoke(request);

            var existing = _instances.Values.FirstOrDefault(i => i.IdempotencyKey == request.IdempotencyKey);
            if (existing is null)
            {
                existing = new ProviderInstance { Provider = name, InstanceId = $"i-{++_next}", IdempotencyKey = request.IdempotencyKey, Pool = request.Pool, CreatedAt = time.GetUtcNow() };
                _instances[existing.InstanceId] = existing;
            }

            AfterCreate?.Invoke(request);

            return Task.FromResult(existing.InstanceId);
        }
    }

    /// <summary>The provider now reports the instance failed (a pod that cannot be scheduled, say).</summary>
    public void Fail(string instanceId, string reason)
    {
        lock (_sync)
        {
            _instances[instanceId] = _instances[instanceId] with { Failure = reason };
        }
    }

    /// <summary>The infrastructure took the instance away (a spot interruption, say).</summary>
    public void Lose(string instanceId, string reason)
    {
        lock (_sync)
        {
            _instances[instanceId] = _instances[instanceId] with { Failure = reason, FailureKind = InstanceFailureKind.Lost };
        }
    }

    /// <summary>Runs before every delete; throw from it to fail the delete.</summary>
    public Action<string>? BeforeDelete { get; set; }

    public Task DeleteAsync(string instanceId, CancellationToken cancellationToken)
    {
        BeforeDelete?.Invoke(instanceId);
        lock (_sync)
        {
            _instances.Remove(instanceId);
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs before every list or find; throw from it to fail the call (the provider cannot tell what it has).</summary>
    public Action? BeforeList { get; set; }

    /// <summary>
    /// When true the list is a cache that lags: it leaves out every instance made from now on until set false again,
    /// as a watch-fed pod cache leaves out a pod whose create answer was lost. <see cref="FindAsync"/> still sees them.
    /// </summary>
    public bool ListLags
    {
        get => _lagFrom is not null;
        set
        {
            lock (_sync)
            {
                _lagFrom = value ? _next : null;
            }
        }
    }

    private int? _lagFrom;

    public Task<IReadOnlyList<ProviderInstance>> ListAsync(CancellationToken cancellationToken)
    {
        BeforeList?.Invoke();
        lock (_sync)
        {
            IReadOnlyList<ProviderInstance> listed = _lagFrom is { } from ? [.. _instances.Values.Where(i => int.Parse(i.InstanceId[2..], System.Globalization.CultureInfo.InvariantCulture) <= from)] : [.. _instances.Values];
            return Task.FromResult(listed);
        }
    }

    /// <summary>Reads the instances themselves, never the lagging list.</summary>
    public Task<string?> FindAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        BeforeList?.Invoke();
        lock (_sync)
        {
            return Task.FromResult(_instances.Values.FirstOrDefault(i => i.IdempotencyKey == idempotencyKey)?.InstanceId);
        }
    }
}
