using Drover.Core.Config;

namespace Drover.Core.Matching;

/// <summary>
/// Each forge's own rule for whether a runner may take a job, as the forges implement it:
/// GitHub — every label the job requests is on the runner (case-insensitive; <c>self-hosted</c> is implied);
/// GitLab — every tag of the job is on the runner, and a job without tags only runs where <c>runUntagged</c> is set.
/// </summary>
public static class LabelRules
{
    /// <summary>The label every GitHub self-hosted runner carries implicitly.</summary>
    public const string SelfHosted = "self-hosted";

    public static bool Matches(ForgeKind kind, IReadOnlyCollection<string> runnerLabels, bool runUntagged, IReadOnlyList<string> jobLabels) =>
        kind switch
        {
            ForgeKind.GitHub => GitHubMatches(runnerLabels, jobLabels),
            ForgeKind.GitLab => GitLabMatches(runnerLabels, runUntagged, jobLabels),
            _ => false,
        };

    public static bool GitHubMatches(IReadOnlyCollection<string> runnerLabels, IReadOnlyList<string> jobLabels)
    {
        foreach (var label in jobLabels)
        {
            if (string.Equals(label, SelfHosted, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!Contains(runnerLabels, label))
            {
                return false;
            }
        }

        return true;
    }

    public static bool GitLabMatches(IReadOnlyCollection<string> runnerTags, bool runUntagged, IReadOnlyList<string> jobTags)
    {
        if (jobTags.Count == 0)
        {
            return runUntagged;
        }

        foreach (var tag in jobTags)
        {
            if (!Contains(runnerTags, tag))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The labels (GitHub) or tags (GitLab) a pool's runners carry.</summary>
    public static IReadOnlyList<string> RunnerLabelsOf(PoolConfig pool, ForgeKind kind) => kind == ForgeKind.GitHub ? pool.Labels : pool.Tags;

    private static bool Contains(IReadOnlyCollection<string> set, string value)
    {
        if (set is HashSet<string> hash)
        {
            return hash.Contains(value);
        }

        foreach (var item in set)
        {
            if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
