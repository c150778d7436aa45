namespace Drover.Core.Adapters;

/// <summary>
/// The configuration or the environment does not let an adapter be built or called: a missing kubeconfig, an
/// unreadable key file, an unset secret variable. The message says what and where to fix, in one line, and never holds
/// a secret. It is never retried and never counts against a circuit breaker: it is not an outage.
/// </summary>
public sealed class AdapterConfigurationException : Exception, IClassifiedFailure
{
    public AdapterConfigurationException(string message)
        : base(message)
    {
    }

    public AdapterConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public AdapterConfigurationException()
    {
    }

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailureKind.Configuration;

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => null;
}
