namespace Drover.Core.Adapters;

/// <summary>
/// A call was not sent because the forge's <see cref="CallPacer"/> has no room for it before <see cref="Until"/>:
/// one endpoint's budget is spent (<see cref="Endpoint"/>), or the forge asked for no calls at all (null
/// <see cref="Endpoint"/>). Nothing happened at the forge, so the call may be made again after that time.
/// </summary>
public sealed class CallPacedException : Exception, IClassifiedFailure
{
    /// <param name="endpoint">The endpoint whose budget is spent; null when every call to the forge is held.</param>
    /// <param name="until">When the call could go out.</param>
    /// <param name="message">What was held, and until when.</param>
    public CallPacedException(string? endpoint, DateTimeOffset until, string message)
        : base(message)
    {
        Endpoint = endpoint;
        Until = until;
    }

    /// <summary>The endpoint whose budget is spent; null when the whole forge is paused.</summary>
    public string? Endpoint { get; }

    /// <summary>When the call could go out.</summary>
    public DateTimeOffset Until { get; }

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailureKind.RateLimited;

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => Until;
}
