using System.Net;
using Drover.Core.Adapters;

namespace Drover.Forges.GitHub.Api;

/// <summary>GitHub refused to remove a runner because it is running a job (422). Drover never forces it: try again later.</summary>
internal sealed class GitHubRunnerBusyException : GitHubApiException
{
    /// <param name="message">Which runner, and GitHub's reason.</param>
    public GitHubRunnerBusyException(string message)
        : base(HttpStatusCode.UnprocessableEntity, message)
    {
    }

    /// <inheritdoc/>
    public override CallFailureKind FailureKind => CallFailureKind.Busy;
}
