using Drover.Core.Cost;
using Drover.Core.Runners;
using Drover.Engine.Loop;

namespace Drover.Server.History;

/// <summary>The fleet at one moment, as <see cref="FleetHistory"/> keeps it: one <see cref="PoolSample"/> per configured pool.</summary>
/// <param name="At">When the sample was taken.</param>
/// <param name="Pools">Every configured pool, in the fleet file's order.</param>
internal sealed record FleetSample(DateTimeOffset At, IReadOnlyList<PoolSample> Pools)
{
    private static readonly RunnerState[] _states = [.. Enum.GetValues<RunnerState>().Where(s => s != RunnerState.Gone)];

    /// <summary>Samples a loop snapshot (the leader's last cycle or a follower's view) at <paramref name="at"/>.</summary>
    public static FleetSample Of(LoopSnapshot snapshot, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var config = snapshot.Config;
        var pools = new List<PoolSample>(config.Pools.Count);
        foreach (var pool in config.Pools)
        {
            var runners = snapshot.Runners.Where(r => r.Pool == pool.Name).ToList();
            var cost = 0m;
            var currency = PriceBook.CurrencyOf(config, pool);
            foreach (var runner in runners.Where(r => RunnerCosting.KindOf(r.State) is not null))
            {
                var price = PriceBook.For(config, pool, runner.Provider);
                cost += price.PerHour;
                currency = price.Currency;
            }

            pools.Add(new PoolSample(
                pool.Name,
                snapshot.QueuedByPool.GetValueOrDefault(pool.Name),
                runners.Count(r => r.State == RunnerState.Busy),
                snapshot.Plan?.Pools.FirstOrDefault(p => p.Pool == pool.Name)?.Desired,
                runners.Count(r => r.IsActive),
                _states.ToDictionary(s => s.ToString().ToLowerInvariant(), s => runners.Count(r => r.State == s), StringComparer.Ordinal),
                snapshot.WaitP50ByPool.TryGetValue(pool.Name, out var p50) ? Math.Round(p50, 1) : null,
                snapshot.WaitP95ByPool.TryGetValue(pool.Name, out var p95) ? Math.Round(p95, 1) : null,
                decimal.Round(cost, 6),
                currency));
        }

        return new FleetSample(at, pools);
    }
}
