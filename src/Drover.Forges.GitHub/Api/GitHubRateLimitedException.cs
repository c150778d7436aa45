using System.Net;
using Drover.Core.Adapters;

namespace Drover.Forges.GitHub.Api;

/// <summary>
/// A call was not sent (or was refused with 403/429) because GitHub's rate limit is exhausted until
/// <see cref="Until"/>. Callers try again after that time; nothing is sent to GitHub before it.
/// </summary>
internal sealed class GitHubRateLimitedException : GitHubApiException
{
    /// <param name="until">When calls may resume.</param>
    /// <param name="message">What was limited.</param>
    /// <param name="inner">The pacer's hold, when the call was held back unsent.</param>
    public GitHubRateLimitedException(DateTimeOffset until, string message, Exception? inner = null)
        : base(HttpStatusCode.TooManyRequests, message, inner)
    {
        Until = until;
    }

    /// <summary>When calls may resume.</summary>
    public DateTimeOffset Until { get; }

    /// <inheritdoc/>
    public override CallFailureKind FailureKind => CallFailureKind.RateLimited;

    /// <inheritdoc/>
    public override DateTimeOffset? RetryAt => Until;
}
