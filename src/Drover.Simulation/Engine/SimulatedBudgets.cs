using Drover.Core.Config;
using Drover.Core.Cost;

namespace Drover.Simulation.Engine;

/// <summary>
/// The budgets of a simulated fleet as the planner sees them in production: each budget's spend in its current period
/// (virtual time, the budget's time zone), from what the simulated provider charged at the fleet's prices.
/// </summary>
internal sealed class SimulatedBudgets(FleetConfig fleet, SimulatedProvider provider)
{
    private readonly Dictionary<string, (DateTimeOffset Start, decimal Baseline)> _periods = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, DateTimeOffset> _exhausted = new(StringComparer.Ordinal);

    /// <summary>True when the fleet has a budget (else nothing needs charging before each plan).</summary>
    public bool Any { get; } = fleet.Pools.Any(p => p.Budget is not null) || fleet.Teams.Any(t => t.Budget is not null);

    /// <summary>The budgets that reached their limit at some point of the run, with when they first did.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Exhausted => _exhausted;

    /// <summary>Pool and team spend in each budget's current period at <paramref name="now"/>.</summary>
    public (IReadOnlyDictionary<string, decimal> Pools, IReadOnlyDictionary<string, decimal> Teams) Spend(DateTimeOffset now)
    {
        var pools = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var teams = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var pool in fleet.Pools)
        {
            if (pool.Budget is { } budget)
            {
                pools[pool.Name] = Track(BudgetPeriods.PoolBudget(pool.Name), budget, provider.PoolCost(pool.Name), now);
            }
        }

        foreach (var team in fleet.Teams)
        {
            if (team.Budget is { } budget)
            {
                teams[team.Name] = Track(BudgetPeriods.TeamBudget(team.Name), budget, fleet.PoolsOf(team.Name).Sum(p => provider.PoolCost(p.Name)), now);
            }
        }

        return (pools, teams);
    }

    private decimal Track(string name, BudgetConfig budget, decimal total, DateTimeOffset now)
    {
        var start = BudgetPeriods.Current(budget, now).Start;
        if (!_periods.TryGetValue(name, out var period) || period.Start != start)
        {
            // A new period counts from what was spent before it.
            period = (start, _periods.ContainsKey(name) ? total : 0m);
            _periods[name] = period;
        }

        var spend = total - period.Baseline;
        if (spend >= budget.Limit)
        {
            _exhausted.TryAdd(name, now);
        }

        return spend;
    }
}
