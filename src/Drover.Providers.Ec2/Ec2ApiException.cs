using System.Net;
using Drover.Core.Adapters;

namespace Drover.Providers.Ec2;

/// <summary>
/// A refused or failed EC2 call, with EC2's error code and words, e.g. <c>ec2 aws: RunInstances: InsufficientInstanceCapacity:
/// We currently do not have sufficient m7i.large capacity...</c>. The engine records the message as the runner's failure.
/// </summary>
internal sealed class Ec2ApiException : Exception, IClassifiedFailure
{
    private static readonly string[] _capacityCodes =
    [
        "InsufficientInstanceCapacity", "InsufficientCapacity", "InsufficientHostCapacity", "InsufficientReservedInstanceCapacity",
        "SpotMaxPriceTooLow", "MaxSpotInstanceCountExceeded", "InstanceLimitExceeded", "VcpuLimitExceeded", "Unsupported",
        "SpotCapacityNotAvailable", "CapacityNotAvailable",
    ];

    private static readonly string[] _transientCodes = ["InternalError", "InternalFailure", "ServiceUnavailable", "Unavailable", "RequestExpired"];

    /// <summary>A refusal of <paramref name="operation"/> with EC2's <paramref name="code"/> and <paramref name="message"/>.</summary>
    public Ec2ApiException(string provider, string operation, string code, string message, HttpStatusCode status, DateTimeOffset? retryAt = null, Exception? inner = null)
        : base($"ec2 {provider}: {operation}: {code}: {message}", inner)
    {
        Code = code;
        StatusCode = status;
        RetryAt = retryAt;
    }

    /// <summary>EC2's error code, e.g. <c>InvalidInstanceID.NotFound</c>.</summary>
    public string Code { get; }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>True when this instance type, zone or market has no capacity now: the next candidate may.</summary>
    public bool NoCapacity => _capacityCodes.Contains(Code, StringComparer.Ordinal);

    /// <summary>True when EC2 does not know the instance (yet, or any more).</summary>
    public bool InstanceNotFound => Code is "InvalidInstanceID.NotFound";

    /// <inheritdoc/>
    /// <remarks>
    /// Throttling is a rate limit; no capacity, 5xx and EC2's internal errors are transient; an unknown instance is not
    /// found; an authorization or parameter refusal is the configuration's.
    /// </remarks>
    public CallFailureKind FailureKind => Code switch
    {
        "RequestLimitExceeded" or "Throttling" or "ThrottlingException" => CallFailureKind.RateLimited,
        "InvalidInstanceID.NotFound" => CallFailureKind.NotFound,
        _ when NoCapacity || _transientCodes.Contains(Code, StringComparer.Ordinal) || (int)StatusCode >= 500 => CallFailureKind.Transient,
        _ when Code.StartsWith("Invalid", StringComparison.Ordinal) || Code is "UnauthorizedOperation" or "AuthFailure" or "NoCredentials" or "MissingParameter" or "Blocked"
            or "OptInRequired" or "PendingVerification" or "IdempotentParameterMismatch" => CallFailureKind.Configuration,
        _ => CallFailures.FromStatus(StatusCode),
    };

    /// <inheritdoc/>
    public DateTimeOffset? RetryAt { get; }
}
