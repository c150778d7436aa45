using Drover.Core.Ports;

namespace Drover.Core.Cost;

/// <summary>Groups cost ledger lines for <c>GET /api/v1/cost</c>, <c>drover cost report</c> and the dashboard.</summary>
public static class CostReport
{
    /// <summary>The key a team row has for pools with no team.</summary>
    public const string NoTeam = "(none)";

    /// <summary>Spellings of <see cref="CostDimension"/> accepted in queries and options.</summary>
    public static IReadOnlyDictionary<string, CostDimension> Dimensions { get; } = new Dictionary<string, CostDimension>(StringComparer.Ordinal)
    {
        ["pool"] = CostDimension.Pool,
        ["team"] = CostDimension.Team,
        ["scope"] = CostDimension.Scope,
        ["provider"] = CostDimension.Provider,
    };

    /// <summary>
    /// <paramref name="lines"/> summed by <paramref name="by"/> and currency, largest amount first (then by key).
    /// <paramref name="teamOf"/> gives a pool's team today; a line's own team (as it was costed) is used when it has one.
    /// </summary>
    public static IReadOnlyList<CostRow> By(IEnumerable<CostEntry> lines, CostDimension by, Func<string, string?>? teamOf = null)
    {
        ArgumentNullException.ThrowIfNull(lines);
        return [.. lines
            .GroupBy(l => (Key: KeyOf(l, by, teamOf), l.Currency))
            .Select(g => new CostRow(g.Key.Key, g.Key.Currency, g.Sum(l => l.Amount), g.Where(l => l.Kind == CostKind.Idle).Sum(l => l.Amount), g.Sum(l => l.RunnerSeconds)))
            .OrderByDescending(r => r.Amount)
            .ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    private static string KeyOf(CostEntry line, CostDimension by, Func<string, string?>? teamOf) => by switch
    {
        CostDimension.Team => line.Team ?? teamOf?.Invoke(line.Pool) ?? NoTeam,
        CostDimension.Scope => line.Scope ?? "unknown",
        CostDimension.Provider => line.Provider,
        _ => line.Pool,
    };
}
