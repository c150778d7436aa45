using Drover.Core.Planning;
using Drover.Engine.Execution;
using Drover.Engine.Logging;

namespace Drover.Engine.Loop;

/// <summary>
/// Lists every provider's instances and every forge's runner registrations through the call pipeline. A failed
/// list leaves that adapter out of the result (callers must not read its absence as "nothing there"). Remembers
/// when each forge registration was first seen, since forges do not all report creation times. Forge lists are
/// reused while young and, once older, refreshed in the background while the cycle goes on with the ones it has, so a
/// slow forge API never holds up a cycle (and the create a webhook asked for) — see
/// <see cref="ControlLoopOptions.ForgeListStaleLimit"/>.
/// </summary>
internal sealed class WorldObserver
{
    private readonly ExecutionServices _services;
    private readonly Dictionary<(string Forge, string Id), DateTimeOffset> _firstSeen = [];
    private readonly TimeSpan _forgeListMaxAge;
    private readonly TimeSpan _forgeListStaleLimit;
    private readonly Action? _refreshed;
    private readonly object _refreshLock = new();
    private ForgeListing? _lastForgeLists;
    private Task<ForgeListing>? _refresh;

    /// <param name="services">Adapters, pipeline, clock, logs and metrics.</param>
    /// <param name="forgeListMaxAge">
    /// A forge listing younger than this is reused instead of calling the forges again (zero: list every time).
    /// </param>
    /// <param name="forgeListStaleLimit">
    /// A listing older than <paramref name="forgeListMaxAge"/> but younger than this is still used, while a fresh one is
    /// fetched in the background; older, the caller waits for fresh lists. Not above <paramref name="forgeListMaxAge"/>:
    /// never in the background.
    /// </param>
    /// <param name="refreshed">Called when a background refresh has brought new lists (the loop plans again).</param>
    public WorldObserver(ExecutionServices services, TimeSpan forgeListMaxAge = default, TimeSpan forgeListStaleLimit = default, Action? refreshed = null)
    {
        _services = services ?? throw new ArgumentNullException(nameof(services));
        _forgeListMaxAge = forgeListMaxAge;
        _forgeListStaleLimit = forgeListStaleLimit;
        _refreshed = refreshed;
    }

    /// <summary>Instances per provider that answered.</summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<ProviderInstance>>> ListInstancesAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<ProviderInstance>>(StringComparer.Ordinal);
        foreach (var provider in _services.Adapters.Providers)
        {
            try
            {
                result[provider.Name] = await _services.Calls.RunAsync($"provider {provider.Name}", provider.ListAsync, cancellationToken).ConfigureAwait(false);
                _services.Metrics.ProviderCall(provider.Name, "list", null);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                _services.Metrics.ProviderCall(provider.Name, "list", e);
                EngineLog.ListFailed(_services.Logger, "provider", provider.Name, RunnerCreation.Describe(e));
            }
        }

        return result;
    }

    /// <summary>
    /// Registrations per forge that answered, with <see cref="ForgeRunner.FirstSeenAt"/> kept across calls, and when the
    /// listing started.
    /// </summary>
    public async Task<ForgeListing> ListForgeRunnersAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var last = Volatile.Read(ref _lastForgeLists);
        if (last is not null && now >= last.At)
        {
            var age = now - last.At;
            if (age < _forgeListMaxAge)
            {
                return last;
            }

            if (age < _forgeListStaleLimit)
            {
                _ = Refresh(now, background: true, cancellationToken);
                return last;
            }
        }

        return await Refresh(now, background: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The refresh in flight, or a new one; one at a time, since it keeps <see cref="_firstSeen"/>.</summary>
    private Task<ForgeListing> Refresh(DateTimeOffset now, bool background, CancellationToken cancellationToken)
    {
        lock (_refreshLock)
        {
            if (_refresh is { IsCompleted: false } running)
            {
                return running;
            }

            _refresh = RefreshAsync(now, background, cancellationToken);
            return _refresh;
        }
    }

    private async Task<ForgeListing> RefreshAsync(DateTimeOffset now, bool background, CancellationToken cancellationToken)
    {
        if (background)
        {
            // Off the cycle's path: the cycle goes on with the lists it has.
            await Task.Yield();
        }

        try
        {
            var listing = new ForgeListing(now, await ListForgeRunnersNowAsync(now, cancellationToken).ConfigureAwait(false));
            Volatile.Write(ref _lastForgeLists, listing);
            if (background)
            {
                _refreshed?.Invoke();
            }

            return listing;
        }
        catch (OperationCanceledException) when (background && cancellationToken.IsCancellationRequested)
        {
            // The loop is stopping; nobody waits for these lists.
            return Volatile.Read(ref _lastForgeLists) ?? new ForgeListing(now, new Dictionary<string, IReadOnlyList<ForgeRunner>>());
        }
    }

    private async Task<IReadOnlyDictionary<string, IReadOnlyList<ForgeRunner>>> ListForgeRunnersNowAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, IReadOnlyList<ForgeRunner>>(StringComparer.Ordinal);
        var seen = new HashSet<(string, string)>();
        foreach (var forge in _services.Adapters.Forges)
        {
            try
            {
                var runners = await _services.Calls.RunAsync($"forge {forge.Name}", forge.ListRunnersAsync, cancellationToken).ConfigureAwait(false);
                _services.Metrics.ForgeCall(forge.Name, "list-runners", null);
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
                _services.Metrics.ForgeCall(forge.Name, "list-runners", e);
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
