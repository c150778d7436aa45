namespace Drover.Core.Adapters;

/// <summary>An adapter's exception that says what kind of failure it is (see <see cref="CallFailures.Classify"/>).</summary>
public interface IClassifiedFailure
{
    /// <summary>What the failure means for the caller.</summary>
    CallFailureKind FailureKind { get; }

    /// <summary>For <see cref="CallFailureKind.RateLimited"/>: when calls may resume, when the service said.</summary>
    DateTimeOffset? RetryAt { get; }
}
