using Drover.Core.Config;
using Drover.Core.Demand;

namespace Drover.Core.Matching;

/// <summary>
/// Assigns each job to exactly one pool: among the pools of the job's forge whose scope covers the job and whose
/// labels satisfy it (<see cref="LabelRules"/>), the one with the highest priority, then the ordinally first name.
/// </summary>
public sealed class PoolMatcher
{
    private readonly Dictionary<string, Candidate[]> _byForge = new(StringComparer.Ordinal);

    public PoolMatcher(FleetConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var group in config.Pools.GroupBy(p => p.Forge, StringComparer.Ordinal))
        {
            var kind = config.FindForge(group.Key)?.Kind;
            if (kind is null)
            {
                continue;
            }

            _byForge[group.Key] = group
                .OrderByDescending(p => p.Priority)
                .ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new Candidate(p, kind.Value, new HashSet<string>(LabelRules.RunnerLabelsOf(p, kind.Value), StringComparer.OrdinalIgnoreCase)))
                .ToArray();
        }
    }

    /// <summary>The pool that takes <paramref name="job"/>, or null when none can.</summary>
    public PoolConfig? Match(Job job) => Match(job.Key.Forge, job.Labels, job.Scope);

    public PoolConfig? Match(string forge, IReadOnlyList<string> labels, string? scope)
    {
        if (!_byForge.TryGetValue(forge, out var candidates))
        {
            return null;
        }

        foreach (var candidate in candidates)
        {
            if (candidate.Pool.Scope.Covers(scope) && LabelRules.Matches(candidate.Kind, candidate.Labels, candidate.Pool.RunUntagged, labels))
            {
                return candidate.Pool;
            }
        }

        return null;
    }

    /// <summary>Assigns every job; jobs no pool can take are returned in <see cref="MatchResult.Unmatched"/>.</summary>
    public MatchResult Assign(IEnumerable<Job> jobs)
    {
        var byPool = new Dictionary<string, List<Job>>(StringComparer.Ordinal);
        var unmatched = new List<Job>();
        foreach (var job in jobs)
        {
            var pool = Match(job);
            if (pool is null)
            {
                unmatched.Add(job);
                continue;
            }

            if (!byPool.TryGetValue(pool.Name, out var list))
            {
                list = [];
                byPool[pool.Name] = list;
            }

            list.Add(job);
        }

        return new MatchResult(byPool, unmatched);
    }

    private sealed record Candidate(PoolConfig Pool, ForgeKind Kind, HashSet<string> Labels);
}
