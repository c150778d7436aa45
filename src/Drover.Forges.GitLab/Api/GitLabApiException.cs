using System.Net;
using Drover.Core.Adapters;

namespace Drover.Forges.GitLab.Api;

/// <summary>A refused GitLab API call, with the status and GitLab's own message.</summary>
public sealed class GitLabApiException(HttpStatusCode status, string message, DateTimeOffset? retryAt = null) : Exception(message), IClassifiedFailure
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailures.FromStatus(Status);

    /// <inheritdoc/>
    /// <remarks>For a 429: the time GitLab named (<c>Retry-After</c> or <c>RateLimit-Reset</c>), when it did.</remarks>
    public DateTimeOffset? RetryAt { get; } = retryAt;
}
