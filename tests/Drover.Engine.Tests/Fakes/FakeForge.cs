using Drover.Core.Adapters;
using Drover.Core.Planning;

namespace Drover.Engine.Tests.Fakes;

/// <summary>An in-memory forge: mints credentials, and lets tests register runners and mark them busy.</summary>
public sealed class FakeForge(string name, TimeProvider time) : IForge
{
    private readonly Lock _sync = new();
    private readonly Dictionary<string, ForgeRunner> _runners = new(StringComparer.Ordinal);

    public string Name => name;

    public List<string> Minted { get; } = [];

    public Task<RunnerCredential> MintRunnerCredentialAsync(string pool, string runnerName, CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            Minted.Add(runnerName);
        }

        return Task.FromResult(new RunnerCredential("jit-config", "secret-for-" + runnerName));
    }

    /// <summary>The runner came up and registered (what a booted instance does).</summary>
    public void Register(string runnerName, bool busy = false)
    {
        lock (_sync)
        {
            _runners[runnerName] = new ForgeRunner { Forge = name, Id = "f-" + runnerName, Name = runnerName, Online = true, Busy = busy, FirstSeenAt = time.GetUtcNow() };
        }
    }

    /// <summary>The runner's registration vanished (an ephemeral runner exited).</summary>
    public void Remove(string runnerName)
    {
        lock (_sync)
        {
            _runners.Remove(runnerName);
        }
    }

    public int ListCalls { get; private set; }

    public Task<IReadOnlyList<ForgeRunner>> ListRunnersAsync(CancellationToken cancellationToken)
    {
        lock (_sync)
        {
            ListCalls++;
            return Task.FromResult<IReadOnlyList<ForgeRunner>>([.. _runners.Values]);
        }
    }

    /// <summary>Runs before every unregister; throw from it to fail the call.</summary>
    public Action<string>? BeforeUnregister { get; set; }

    public Task UnregisterAsync(string forgeRunnerId, CancellationToken cancellationToken)
    {
        BeforeUnregister?.Invoke(forgeRunnerId);
        lock (_sync)
        {
            foreach (var key in _runners.Where(r => r.Value.Id == forgeRunnerId).Select(r => r.Key).ToList())
            {
                _runners.Remove(key);
            }
        }

        return Task.CompletedTask;
    }
}
