using Drover.Core.Adapters;

namespace Drover.Forges.GitLab;

/// <summary>A runner was not deleted because it is running a job; the engine tries again later.</summary>
internal sealed class GitLabRunnerBusyException(string runnerId)
    : Exception($"GitLab runner {runnerId} is running a job; it is never removed under a job"), IClassifiedFailure
{
    /// <summary>The runner.</summary>
    public string RunnerId { get; } = runnerId;

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailureKind.Busy;

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => null;
}
