using Drover.Core.Adapters;

namespace Drover.Forges.GitLab.Api;

/// <summary>
/// One GitLab forge's request budget, kept by a <see cref="CallPacer"/>: every API request counts against one budget
/// (GitLab.com limits authenticated API traffic per user, whatever the endpoint), at most <c>perWindow</c> requests in
/// a window, counted as GitLab counts them (fixed windows aligned to multiples of their length), so GitLab never has to
/// refuse one; and no request before a time GitLab named (429 <c>Retry-After</c>, or
/// <c>RateLimit-Reset</c> once <c>RateLimit-Remaining</c> is spent). Waits are bounded: past the limit the call fails
/// unsent (<see cref="CallPacedException"/>, a rate limit with the time it ends) instead of queueing.
/// </summary>
public sealed class RequestBudget
{
    /// <summary>The endpoint name the pacer keeps the budget under: all API requests share it.</summary>
    public const string Api = "GitLab API";

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;

    /// <param name="time">The clock.</param>
    /// <param name="perMinute">Requests allowed per minute (at least 1).</param>
    /// <param name="maxWait">The longest one request waits.</param>
    public RequestBudget(TimeProvider time, int perMinute, TimeSpan maxWait)
        : this(time, perMinute, TimeSpan.FromMinutes(1), maxWait)
    {
    }

    /// <param name="time">The clock.</param>
    /// <param name="perWindow">Requests allowed per <paramref name="window"/> (at least 1).</param>
    /// <param name="window">The window of the budget (GitLab.com: a minute).</param>
    /// <param name="maxWait">The longest one request waits.</param>
    public RequestBudget(TimeProvider time, int perWindow, TimeSpan window, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perWindow, 1);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _maxWait = maxWait;
        Pacer = new CallPacer(time, perWindow, window, aligned: true);
    }

    /// <summary>The pacer every request passes.</summary>
    public CallPacer Pacer { get; }

    /// <summary>Requests left in the current window as GitLab last reported it (<c>RateLimit-Remaining</c>, less the requests sent since).</summary>
    public long? Remaining => Pacer.Remaining;

    /// <summary>Until when GitLab asked for no requests; null when it did not (or that time has passed).</summary>
    public DateTimeOffset? BlockedUntil => Pacer.PausedUntil > _time.GetUtcNow() ? Pacer.PausedUntil : null;

    /// <summary>Waits until a request may go out, and takes it from the budget.</summary>
    /// <exception cref="CallPacedException">The request could go out only later than the longest wait: the client's own budget is spent (<see cref="CallPacedException.Endpoint"/> set) or GitLab asked for no requests (null); nothing was sent.</exception>
    public Task TakeAsync(CancellationToken cancellationToken) => Pacer.EnterAsync(Api, 1, _maxWait, cancellationToken);

    /// <summary>Takes in what a response said: <c>Retry-After</c> (429), <c>RateLimit-Remaining</c>, <c>RateLimit-Limit</c> and <c>RateLimit-Reset</c>.</summary>
    public void Observe(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = _time.GetUtcNow();
        if (response.Headers.RetryAfter is { } retry)
        {
            Pacer.Pause(retry.Delta is { } delta ? now + delta : retry.Date ?? now);
        }

        if (Header(response, "RateLimit-Remaining") is { } remaining)
        {
            var reset = Header(response, "RateLimit-Reset") is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
            Pacer.ObserveBudget(remaining, Header(response, "RateLimit-Limit"), reset);
            if (remaining <= 0 && reset is { } until)
            {
                Pacer.Pause(until);
            }
        }
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
