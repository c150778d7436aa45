using System.Net;
using Drover.Core.Adapters;
using Drover.Forges.GitHub.Api;

namespace Drover.Forges.GitHub.ScaleSets;

/// <summary>
/// The Actions service (or its message queue) answered a scale-set call with an error status. The message names the
/// call and the service's reason, never a token.
/// </summary>
internal sealed class ActionsServiceException : GitHubApiException
{
    /// <param name="status">The HTTP status.</param>
    /// <param name="typeName">The service's exception type (e.g. <c>AgentExistsException</c>), when it said one.</param>
    /// <param name="message">What failed and why.</param>
    /// <param name="retryAt">When a 429 or 503 said calls may resume (<c>Retry-After</c>).</param>
    public ActionsServiceException(HttpStatusCode status, string? typeName, string message, DateTimeOffset? retryAt = null)
        : base(status, message)
    {
        TypeName = typeName;
        RetryAtValue = retryAt;
    }

    /// <summary>The service's exception type name, e.g. <c>RunnerScaleSetSessionConflictException</c>; null when none.</summary>
    public string? TypeName { get; }

    /// <summary>True when the answer names <paramref name="exception"/> (GitHub's <c>typeName</c> contains it).</summary>
    public bool Is(string exception) => TypeName?.Contains(exception, StringComparison.Ordinal) == true;

    /// <inheritdoc/>
    public override CallFailureKind FailureKind =>
        Is("JobStillRunningException") ? CallFailureKind.Busy
        : Status == HttpStatusCode.Conflict ? CallFailureKind.Transient
        : base.FailureKind;

    /// <inheritdoc/>
    public override DateTimeOffset? RetryAt => RetryAtValue;

    private DateTimeOffset? RetryAtValue { get; }
}
