using System.Net;
using Drover.Core.Adapters;

namespace Drover.Forges.GitHub.Api;

/// <summary>GitHub answered a call with an error status. The message names the call and GitHub's reason, never a credential.</summary>
public class GitHubApiException : Exception, IClassifiedFailure
{
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">What failed and why.</param>
    public GitHubApiException(HttpStatusCode status, string message)
        : base(message)
    {
        Status = status;
    }

    /// <param name="status">The HTTP status.</param>
    /// <param name="message">What failed and why.</param>
    /// <param name="inner">What caused it.</param>
    public GitHubApiException(HttpStatusCode status, string message, Exception? inner)
        : base(message, inner)
    {
        Status = status;
    }

    /// <summary>The HTTP status GitHub answered with.</summary>
    public HttpStatusCode Status { get; }

    /// <inheritdoc/>
    public virtual CallFailureKind FailureKind => CallFailures.FromStatus(Status);

    /// <inheritdoc/>
    public virtual DateTimeOffset? RetryAt => null;
}
