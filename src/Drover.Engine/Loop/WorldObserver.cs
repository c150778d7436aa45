using Drover.Core.Planning;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Lists every provider's instances and every forge's runner registrations through the call pipeline. A failed
/// list leaves that adapter out of the result (callers must not read its absence as "nothing there"). Remembers
/// when each forge registration was first seen, since forges do not all report creation times.
/// </summary>
public sealed class WorldObserver
{
    private readonly ExecutionServices _services;
    private readonly Dictionary<(string Forge, string Id), DateTimeOffset> _firstSeen = [];
    private readonly TimeSpan _forgeListMaxAge;
    private (DateTimeOffset At, IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>> Lists)? _lastForgeLists;

    /// <param name="services">Adapters, pipeline, clock, logs and metrics.</param>
    /// <param name="forgeListMaxAge">
    /// A forge listing younger than this is reused instead of calling the forges again (zero: list every time).
    /// </param>
    public WorldObserver(ExecutionServices services, TimeSpan forgeListMaxAge = default)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _forgeListMaxAge = forgeListMaxAge;
    }

    /// <summary>Instances per provider that answered.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>>> ListInstancesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<ProviderInstance>>(StringComparer.Ordinal);
        foreach (var provider in _services.Adapters.Providers)
        {
            try
            {
                result[provider.Name] = await _services.Pipeline.ExecuteAsync(async ct => await provider.ListAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                _services.Metrics.ProviderCall(provider.Name, "success");
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _services.Metrics.ProviderCall(provider.Name, "failure");
                EngineLog.ListFailed(_services.Logger, "provider", provider.Name, RunnerCreation.Describe(e));
            }
        }

        return result;
    }

    /// <summary>Registrations per forge that answered, with <see cref="ForgeRunner.FirstSeenAt"/> kept across calls.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>>> ListForgeRunnersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (_lastForgeLists is { } last && now - last.At < _forgeListMaxAge && now >= last.At)
        {
            return last.Lists;
        }

        var lists = await ListForgeRunnersNowAsync(now, cancellationToken).ConfigureAwait(false);
        _lastForgeLists = (now, lists);
        return lists;
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>>> ListForgeRunnersNowAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<ForgeRunner>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var forge in _services.Adapters.Forges)
        {
            try
            {
                var runners = await _services.Pipeline.ExecuteAsync(async ct => await forge.ListRunnersAsync(ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                _services.Metrics.ForgeCall(forge.Name, "success");
                result[forge.Name] = runners.Select(r =>
                {
                    var key = (forge.Name, r.Id);
                    seen.Add(key);
                    if (!_firstSeen.TryGetValue(key, out var first))
                    {
                        first = r.FirstSeenAt < now ? r.FirstSeenAt : now;
                        _firstSeen[key] = first;
                    }

                    return r with { FirstSeenAt = first };
                }).ToList();
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _services.Metrics.ForgeCall(forge.Name, "failure");
                EngineLog.ListFailed(_services.Logger, "forge", forge.Name, RunnerCreation.Describe(e));
                foreach (var key in _firstSeen.Keys.Where(k => k.Forge == forge.Name))
                {
                    seen.Add(key);
                }
            }
        }

        foreach (var stale in _firstSeen.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            _firstSeen.Remove(stale);
        }

        return result;
    }
}
