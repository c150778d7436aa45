namespace Drover.Core.Demand;

/// <summary>What the ref a job runs on is, as far as its forge tells (see <see cref="Job.RefKind"/>).</summary>
public enum JobRefKind
{
    /// <summary>A branch that is not the repository's or project's default branch, and not known to be a pull or merge request.</summary>
    Branch,

    /// <summary>The repository's or project's default branch.</summary>
    DefaultBranch,

    /// <summary>A tag (GitLab says so; GitHub's job payloads do not).</summary>
    Tag,

    /// <summary>A pull request (GitHub) or merge request (GitLab) pipeline.</summary>
    PullRequest,
}
