using System.Net;

namespace Drover.Forges.GitLab.Api;

/// <summary>A refused GitLab API call, with the status and GitLab's own message.</summary>
public sealed class GitLabApiException(HttpStatusCode status, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public HttpStatusCode Status { get; } = status;
}
