namespace Drover.Core.Config;

/// <summary>
/// Finds pools that can never get a job. Pool A is shadowed by pool B when both use the same forge, A's scope lies
/// within B's, every job A matches also matches B (GitHub: A's labels are a subset of B's, case-insensitive,
/// <c>self-hosted</c> ignored; GitLab: A's tags are a subset of B's and B takes untagged jobs whenever A does), and B
/// wins the tie-break (higher priority, then the name first in ordinal order).
/// </summary>
internal static class PoolShadowingRule
{
    private const string SelfHosted = "self-hosted";

    public static void Check(ValidationContext context)
    {
        var pools = context.Config.Pools;
        var candidates = Enumerable.Range(0, pools.Count)
            .Where(i => !context.Bound.IncompletePools.Contains(i) && pools[i].Name.Length > 0 && context.CompleteForge(pools[i].Forge) is not null)
            .ToList();

        foreach (var a in candidates)
        {
            var pool = pools[a];
            var kind = context.CompleteForge(pool.Forge)!.Kind;
            if (kind == ForgeKind.GitLab && pool.Tags.Count == 0 && !pool.RunUntagged)
            {
                // Takes no job at all; reported by the pool rules.
                continue;
            }

            var winner = candidates
                .Where(b => b != a && pools[b].Forge == pool.Forge && pools[b].Name != pool.Name)
                .Select(b => pools[b])
                .Where(other => Wins(other, pool) && pool.Scope.IsWithin(other.Scope) && MatchesEveryJobOf(other, pool, kind))
                .OrderByDescending(other => other.Priority)
                .ThenBy(other => other.Name, StringComparer.Ordinal)
                .FirstOrDefault();
            if (winner is null)
            {
                continue;
            }

            var key = kind == ForgeKind.GitHub ? "labels" : "tags";
            var reason = winner.Priority > pool.Priority
                ? $"higher priority ({winner.Priority} > {pool.Priority})"
                : $"the same priority ({pool.Priority}) and its name sorts first";
            context.Report(
                $"pools[{a}].{key}",
                $"pool '{pool.Name}' never gets a job: pool '{winner.Name}' covers its scope and {key}, and wins with {reason}");
        }
    }

    private static bool Wins(PoolConfig candidate, PoolConfig pool) =>
        candidate.Priority > pool.Priority
        || (candidate.Priority == pool.Priority && string.CompareOrdinal(candidate.Name, pool.Name) < 0);

    private static bool MatchesEveryJobOf(PoolConfig candidate, PoolConfig pool, ForgeKind kind)
    {
        if (kind == ForgeKind.GitHub)
        {
            var labels = candidate.Labels.ToHashSet(StringComparer.OrdinalIgnoreCase);
            return pool.Labels.All(l => labels.Contains(l) || string.Equals(l, SelfHosted, StringComparison.OrdinalIgnoreCase));
        }

        var tags = candidate.Tags.ToHashSet(StringComparer.Ordinal);
        return pool.Tags.All(tags.Contains) && (!pool.RunUntagged || candidate.RunUntagged);
    }
}
