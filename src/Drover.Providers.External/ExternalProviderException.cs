using Drover.Core.Adapters;

namespace Drover.Providers.External;

/// <summary>
/// A call to an external provider executable failed: it exited non-zero, timed out, wrote what is not the JSON GARM's
/// interface asks for, or could not be started. The message carries the provider's own words (its stderr and stdout,
/// bounded, with the instance's bootstrap token blanked out).
/// </summary>
internal sealed class ExternalProviderException : Exception, IClassifiedFailure
{
    public ExternalProviderException(string message, CallFailureKind kind = CallFailureKind.Transient, int? exitCode = null)
        : base(message)
    {
        FailureKind = kind;
        ExitCode = exitCode;
    }

    public ExternalProviderException()
        : this("the external provider failed")
    {
    }

    public ExternalProviderException(string message)
        : this(message, CallFailureKind.Transient)
    {
    }

    public ExternalProviderException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The executable's exit code; null when it did not exit by itself (timeout, not started).</summary>
    public int? ExitCode { get; }

    /// <inheritdoc/>
    public CallFailureKind FailureKind { get; }

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => null;
}
