using Drover.Core.Demand;

namespace Drover.Core.Config;

/// <summary>
/// A priority class (<c>priorityClasses[]</c>, first listed highest): where pools share a capacity, the jobs it matches
/// get the capacity before the jobs of lower classes, across teams; within a class the teams' weights share it.
/// </summary>
public sealed record PriorityClassConfig
{
    public required string Name { get; init; }

    /// <summary>What the class matches; a job matching any of them is of the class (unless a higher class matches it).</summary>
    public IReadOnlyList<PriorityMatch> Match { get; init; } = [];

    /// <summary>True when <paramref name="job"/> is of this class by what its forge told of it.</summary>
    public bool Matches(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        foreach (var match in Match)
        {
            var hit = match switch
            {
                PriorityMatch.DefaultBranch => job.RefKind == JobRefKind.DefaultBranch,
                PriorityMatch.Tags => job.RefKind == JobRefKind.Tag,
                PriorityMatch.Deployments => job.Environment is not null,
                PriorityMatch.PullRequests => job.RefKind == JobRefKind.PullRequest,
                PriorityMatch.Branches => job.RefKind == JobRefKind.Branch,
                _ => false,
            };
            if (hit)
            {
                return true;
            }
        }

        return false;
    }
}
