using System.Net;

namespace Drover.Core.Adapters;

/// <summary>One classification of adapter-call failures, shared by every adapter and the engine's call policy.</summary>
public static class CallFailures
{
    /// <summary>What <paramref name="exception"/> (or the first classified exception inside it) means.</summary>
    public static (CallFailureKind Kind, DateTimeOffset? RetryAt) Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case IClassifiedFailure classified:
                    return (classified.FailureKind, classified.RetryAt);
                case HttpRequestException { StatusCode: { } status }:
                    return (FromStatus(status), null);
                default:
                    break;
            }
        }

        return (CallFailureKind.Transient, null);
    }

    /// <summary>
    /// The kind an HTTP error status means: 429 rate-limited; 404 and 410 not found; 400, 401, 403 and 422 the
    /// configuration (a bad credential or a spec the service refuses); 409 and everything else transient.
    /// A 403 that is a rate limit (GitHub's secondary limits) must be classified by the adapter that can tell.
    /// </summary>
    public static CallFailureKind FromStatus(HttpStatusCode status) => status switch
    {
        HttpStatusCode.TooManyRequests => CallFailureKind.RateLimited,
        HttpStatusCode.NotFound or HttpStatusCode.Gone => CallFailureKind.NotFound,
        HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.UnprocessableEntity => CallFailureKind.Configuration,
        _ => CallFailureKind.Transient,
    };
}
