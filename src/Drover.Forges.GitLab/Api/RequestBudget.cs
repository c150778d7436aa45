namespace Drover.Forges.GitLab.Api;

/// <summary>
/// A client-side request budget: at most <c>perMinute</c> requests in any minute (a token bucket refilled evenly),
/// and no request before a time the server named (429 <c>Retry-After</c>, or <c>RateLimit-Reset</c> once
/// <c>RateLimit-Remaining</c> is 0). Waits are bounded: past the limit the call fails instead of queueing forever.
/// </summary>
public sealed class RequestBudget
{
    private readonly TimeProvider _time;
    private readonly int _perMinute;
    private readonly TimeSpan _maxWait;
    private readonly Lock _sync = new();
    private double _tokens;
    private DateTimeOffset _refilledAt;
    private DateTimeOffset _blockedUntil;

    /// <param name="time">The clock.</param>
    /// <param name="perMinute">Requests allowed per minute (at least 1).</param>
    /// <param name="maxWait">The longest one request waits.</param>
    public RequestBudget(TimeProvider time, int perMinute, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perMinute, 1);
        _time = time;
        _perMinute = perMinute;
        _maxWait = maxWait;
        _tokens = perMinute;
        _refilledAt = time.GetUtcNow();
    }

    /// <summary>Requests left in the current window as GitLab last reported it (<c>RateLimit-Remaining</c>).</summary>
    public long? Remaining { get; private set; }

    /// <summary>Until when GitLab asked for no requests; null when it did not (or that time has passed).</summary>
    public DateTimeOffset? BlockedUntil
    {
        get
        {
            lock (_sync)
            {
                return _blockedUntil > _time.GetUtcNow() ? _blockedUntil : null;
            }
        }
    }

    /// <summary>Waits until a request may go out, and takes it from the budget.</summary>
    /// <exception cref="TimeoutException">The client's own budget would make the wait exceed the limit.</exception>
    /// <exception cref="GitLabApiException">GitLab's rate limit would (a 429 whose <see cref="GitLabApiException.RetryAt"/> says until when).</exception>
    public async Task TakeAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            _tokens = Math.Min(_perMinute, _tokens + ((now - _refilledAt).TotalMinutes * _perMinute));
            _refilledAt = now;
            var blocked = _blockedUntil > now ? _blockedUntil - now : TimeSpan.Zero;
            var forToken = _tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromMinutes((1 - _tokens) / _perMinute);
            wait = blocked > forToken ? blocked : forToken;
            if (wait > _maxWait)
            {
                throw blocked > forToken
                    ? new GitLabApiException(System.Net.HttpStatusCode.TooManyRequests, $"GitLab asked to wait until {_blockedUntil:HH:mm:ss}Z (rate limit), longer than {_maxWait.TotalSeconds:0} s; not sent", _blockedUntil)
                    : new TimeoutException($"the client's budget of {_perMinute} requests per minute is spent for longer than {_maxWait.TotalSeconds:0} s");
            }

            _tokens -= 1;
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Takes in what a response said: <c>Retry-After</c> (429), <c>RateLimit-Remaining</c> and <c>RateLimit-Reset</c>.</summary>
    public void Observe(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var now = _time.GetUtcNow();
        lock (_sync)
        {
            if (response.Headers.RetryAfter is { } retry)
            {
                var until = retry.Delta is { } delta ? now + delta : retry.Date ?? now;
                _blockedUntil = until > _blockedUntil ? until : _blockedUntil;
            }

            if (Header(response, "RateLimit-Remaining") is { } remaining)
            {
                Remaining = remaining;
                if (remaining <= 0 && Header(response, "RateLimit-Reset") is { } reset)
                {
                    var until = DateTimeOffset.FromUnixTimeSeconds(reset);
                    _blockedUntil = until > _blockedUntil ? until : _blockedUntil;
                }
            }
        }
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
