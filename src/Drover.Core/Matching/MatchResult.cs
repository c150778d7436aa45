using Drover.Core.Demand;

namespace Drover.Core.Matching;

/// <summary>Jobs grouped by the pool that takes them, plus the ones no pool takes.</summary>
public sealed record MatchResult(IReadOnlyDictionary<string, List<Job>> ByPool, IReadOnlyList<Job> Unmatched)
{
    public IReadOnlyList<Job> For(string pool) => ByPool.TryGetValue(pool, out var jobs) ? jobs : [];
}
