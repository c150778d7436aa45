using System.Net;
using Drover.Core.Adapters;

namespace Drover.Forges.GitLab.Api;

/// <summary>A refused GitLab API call, with the status and GitLab's own message.</summary>
public sealed class GitLabApiException(HttpStatusCode status, string message) : Exception(message), IClassifiedFailure
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailures.FromStatus(Status);

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => null;
}
