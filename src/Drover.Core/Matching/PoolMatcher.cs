using Drover.Core.Config;
using Drover.Core.Demand;

namespace Drover.Core.Matching;

/// <summary>
/// Assigns each job to exactly one pool: among the pools of the job's forge whose scope covers the job and whose
/// labels satisfy it (<see cref="LabelRules"/>), the one with the highest priority, then the ordinally first name.
/// </summary>
public sealed class PoolMatcher
{
    private readonly Dictionary<string, ForgeIndex> _byForge = new(StringComparer.Ordinal);

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

            var candidates = group
                .OrderByDescending(p => p.Priority)
                .ThenBy(p => p.Name, StringComparer.Ordinal)
                .Select(p => new Candidate(p, kind.Value, new HashSet<string>(LabelRules.RunnerLabelsOf(p, kind.Value), StringComparer.OrdinalIgnoreCase)))
                .ToArray();
            _byForge[group.Key] = new ForgeIndex(candidates);
        }
    }

    /// <summary>The pool that takes <paramref name="job"/>, or null when none can.</summary>
    public PoolConfig? Match(Job job) => Match(job.Key.Forge, job.Labels, job.Scope);

    public PoolConfig? Match(string forge, IReadOnlyList<string> labels, string? scope)
    {
        return _byForge.TryGetValue(forge, out var index) ? index.Match(labels, scope) : null;
    }

    /// <summary>
    /// True when this matcher assigns every job as <paramref name="other"/> does: the same pool records (by reference)
    /// in the same precedence for each forge. A configuration that only leaves pools out is not alike.
    /// </summary>
    public bool AssignsLike(PoolMatcher other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(this, other))
        {
            return true;
        }

        if (_byForge.Count != other._byForge.Count)
        {
            return false;
        }

        foreach (var (forge, index) in _byForge)
        {
            if (!other._byForge.TryGetValue(forge, out var theirs) || !index.SameCandidates(theirs))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Assigns every job; jobs no pool can take are returned in <see cref="MatchResult.Unmatched"/>.</summary>
    public MatchResult Assign(IEnumerable<Job> jobs)
    {
        var byPool = new Dictionary<string, List<Job>>(StringComparer.Ordinal);
        var unmatched = new List<Job>();
        var memo = new Dictionary<string, PoolConfig?>(StringComparer.Ordinal);
        Job? previous = null;
        PoolConfig? previousPool = null;
        foreach (var job in jobs)
        {
            PoolConfig? pool;
            if (previous is not null && SameRequest(previous, job))
            {
                // Consecutive jobs usually ask for the same thing: skip building their signature.
                pool = previousPool;
            }
            else
            {
                var signature = Signature(job);
                if (!memo.TryGetValue(signature, out pool))
                {
                    pool = Match(job);
                    memo[signature] = pool;
                }
            }

            previous = job;
            previousPool = pool;

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

    /// <summary>True when both jobs come from the same forge and scope and list exactly the same labels in the same order.</summary>
    private static bool SameRequest(Job a, Job b)
    {
        if (!string.Equals(a.Key.Forge, b.Key.Forge, StringComparison.Ordinal) || !string.Equals(a.Scope, b.Scope, StringComparison.Ordinal))
        {
            return false;
        }

        if (ReferenceEquals(a.Labels, b.Labels))
        {
            return true;
        }

        if (a.Labels.Count != b.Labels.Count)
        {
            return false;
        }

        for (var i = 0; i < a.Labels.Count; i++)
        {
            if (!string.Equals(a.Labels[i], b.Labels[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string Signature(Job job)
    {
        var labels = job.Labels.Count switch
        {
            0 => string.Empty,
            1 => job.Labels[0].ToUpperInvariant(),
            _ => string.Join('\n', job.Labels.Select(l => l.ToUpperInvariant()).Order(StringComparer.Ordinal)),
        };
        return string.Concat(job.Key.Forge, "\0", job.Scope, "\0", labels);
    }

    private sealed record Candidate(PoolConfig Pool, ForgeKind Kind, HashSet<string> Labels);

    /// <summary>The pools of one forge in precedence order, with a label → pools index so a job only looks at pools that carry its rarest label.</summary>
    private sealed class ForgeIndex
    {
        private readonly Candidate[] _candidates;
        private readonly Dictionary<string, List<int>> _byLabel = new(StringComparer.OrdinalIgnoreCase);

        public ForgeIndex(Candidate[] candidates)
        {
            _candidates = candidates;
            for (var i = 0; i < candidates.Length; i++)
            {
                foreach (var label in candidates[i].Labels)
                {
                    if (!_byLabel.TryGetValue(label, out var list))
                    {
                        list = [];
                        _byLabel[label] = list;
                    }

                    list.Add(i);
                }
            }
        }

        public bool SameCandidates(ForgeIndex other)
        {
            if (_candidates.Length != other._candidates.Length)
            {
                return false;
            }

            for (var i = 0; i < _candidates.Length; i++)
            {
                if (!ReferenceEquals(_candidates[i].Pool, other._candidates[i].Pool) || _candidates[i].Kind != other._candidates[i].Kind)
                {
                    return false;
                }
            }

            return true;
        }

        public PoolConfig? Match(IReadOnlyList<string> labels, string? scope)
        {
            List<int>? narrowest = null;
            foreach (var label in labels)
            {
                if (string.Equals(label, LabelRules.SelfHosted, StringComparison.OrdinalIgnoreCase) && _candidates.Length > 0 && _candidates[0].Kind == ForgeKind.GitHub)
                {
                    continue;
                }

                if (!_byLabel.TryGetValue(label, out var list))
                {
                    return null;
                }

                if (narrowest is null || list.Count < narrowest.Count)
                {
                    narrowest = list;
                }
            }

            if (narrowest is null)
            {
                foreach (var candidate in _candidates)
                {
                    if (IsMatch(candidate, labels, scope))
                    {
                        return candidate.Pool;
                    }
                }

                return null;
            }

            foreach (var i in narrowest)
            {
                if (IsMatch(_candidates[i], labels, scope))
                {
                    return _candidates[i].Pool;
                }
            }

            return null;
        }

        private static bool IsMatch(Candidate candidate, IReadOnlyList<string> labels, string? scope) =>
            candidate.Pool.Scope.Covers(scope) && LabelRules.Matches(candidate.Kind, candidate.Labels, candidate.Pool.RunUntagged, labels);
    }
}
