using Drover.Core.Adapters;

namespace Drover.Engine.Execution;

/// <summary>A call was not sent because its target's rate limit is being waited out.</summary>
internal sealed class CallHeldBackException : Exception, IClassifiedFailure
{
    /// <param name="target">The provider or forge, e.g. <c>forge github</c>.</param>
    /// <param name="until">When calls resume.</param>
    public CallHeldBackException(string target, DateTimeOffset until)
        : base($"{target}: rate limited; calls resume at {until:u} (not sent)")
    {
        Until = until;
    }

    /// <summary>When calls resume.</summary>
    public DateTimeOffset Until { get; }

    /// <inheritdoc/>
    public CallFailureKind FailureKind => CallFailureKind.RateLimited;

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt => Until;
}
