using Drover.Core.Config;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// Chooses the provider of each new runner of a pool. A provider can take a runner when its circuit breaker allows a
/// create in this cycle. Of those, <see cref="PlacementMode.Priority"/> takes the first in the pool's list and
/// <see cref="PlacementMode.Weighted"/> the one furthest below its weighted share of the pool's active runners. A
/// replacement of a runner that failed avoids the provider it failed on while another one can take it, so a cluster
/// whose pods cannot be scheduled or pulled sends its replacements elsewhere at once, and all new runners once its
/// breaker opens.
/// </summary>
internal static class ProviderPlacement
{
    /// <summary>
    /// Providers for up to <paramref name="wanted"/> creates, in order; the first <paramref name="replaced"/>.Count of
    /// them replace those failed runners. Fewer when breakers withhold creates; <paramref name="withheldBecause"/> says why.
    /// </summary>
    public static IReadOnlyList<string> Place(PlanningCycle cycle, PoolConfig pool, IReadOnlyList<Runner> runners, IReadOnlyList<Runner> replaced, int wanted, out string? withheldBecause)
    {
        var placement = pool.Placement;
        if (placement.Count == 1)
        {
            var only = placement[0].Name;
            var room = cycle.Shares.Left(cycle.Config, pool, only) is { } left ? Math.Min(wanted, left) : wanted;
            var granted = cycle.TakeCreates(only, room, out withheldBecause);
            cycle.Shares.Take(cycle.Config, pool, only, granted);
            if (room < wanted)
            {
                withheldBecause = withheldBecause is null ? cycle.Shares.WhyFull(cycle.Config, pool, only) : $"{cycle.Shares.WhyFull(cycle.Config, pool, only)}; {withheldBecause}";
            }

            return Enumerable.Repeat(only, granted).ToList();
        }

        withheldBecause = null;
        var active = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var runner in runners)
        {
            if (runner.IsActive)
            {
                active[runner.Provider] = active.GetValueOrDefault(runner.Provider) + 1;
            }
        }

        var chosen = new List<string>(wanted);
        for (var i = 0; i < wanted; i++)
        {
            var avoid = i < replaced.Count ? replaced[i].Provider : null;
            var provider = Choose(cycle, pool, active, avoid) ?? Choose(cycle, pool, active, avoid: null);
            if (provider is null)
            {
                withheldBecause = "no provider of the pool can take a runner: "
                    + string.Join("; ", placement.Select(p => cycle.Shares.Left(cycle.Config, pool, p.Name) is <= 0
                        ? cycle.Shares.WhyFull(cycle.Config, pool, p.Name)
                        : $"'{p.Name}' circuit {cycle.DescribeBreaker(p.Name)}"));
                break;
            }

            cycle.TakeCreates(provider, 1, out _);
            cycle.Shares.Take(cycle.Config, pool, provider, 1);
            active[provider] = active.GetValueOrDefault(provider) + 1;
            chosen.Add(provider);
        }

        return chosen;
    }

    private static string? Choose(PlanningCycle cycle, PoolConfig pool, Dictionary<string, int> active, string? avoid)
    {
        PoolProvider? best = null;
        var bestShare = double.MaxValue;
        foreach (var candidate in pool.Placement)
        {
            if (string.Equals(candidate.Name, avoid, StringComparison.Ordinal) || !cycle.CanCreate(candidate.Name) || cycle.Shares.Left(cycle.Config, pool, candidate.Name) is <= 0)
            {
                continue;
            }

            if (pool.PlacementMode == PlacementMode.Priority)
            {
                return candidate.Name;
            }

            // The share the provider would have with one more runner; the smallest is furthest below its weight.
            var share = (active.GetValueOrDefault(candidate.Name) + 1) / (double)candidate.Weight;
            if (share < bestShare)
            {
                best = candidate;
                bestShare = share;
            }
        }

        return best?.Name;
    }
}
