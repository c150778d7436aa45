namespace Drover.Core.Config;

/// <summary>What a priority class matches (<c>priorityClasses[].match</c>), from what the forge tells of a job's ref.</summary>
public enum PriorityMatch
{
    /// <summary><c>default-branch</c>: jobs on the repository's or project's default branch.</summary>
    DefaultBranch,

    /// <summary><c>tags</c>: jobs of a tag pipeline (GitLab tells; GitHub's job payloads do not).</summary>
    Tags,

    /// <summary><c>deployments</c>: jobs that deploy to an environment (GitHub webhooks, GitLab).</summary>
    Deployments,

    /// <summary><c>pull-requests</c>: pull request (GitHub, when the workflow run is known) or merge request (GitLab) jobs.</summary>
    PullRequests,

    /// <summary><c>branches</c>: jobs on any other branch.</summary>
    Branches,
}
