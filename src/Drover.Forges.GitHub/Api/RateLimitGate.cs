using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Drover.Forges.GitHub.Api;

/// <summary>
/// Keeps one forge's calls inside GitHub's rate limits: remembers the budget GitHub reports on every response
/// (<c>X-RateLimit-Remaining</c>, <c>X-RateLimit-Reset</c>) and, once it is spent or GitHub refuses a call (403/429 with
/// <c>Retry-After</c>, or a secondary limit), holds every call until the reset. A short hold is waited out; a longer
/// one fails calls at once with <see cref="GitHubRateLimitedException"/> without sending anything, so a limit never
/// turns into a storm of retries. Concurrency is capped well below GitHub's 100 concurrent requests.
/// </summary>
public sealed class RateLimitGate
{
    /// <summary>How long GitHub asks a client to wait after a secondary limit that names no time.</summary>
    public static readonly TimeSpan SecondaryLimitPause = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;
    private readonly SemaphoreSlim _concurrency;
    private readonly Lock _sync = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private long? _remaining;
    private long? _limit;
    private DateTimeOffset? _resetAt;

    /// <param name="time">The clock.</param>
    /// <param name="maxWait">Holds up to this long are waited out; longer ones fail at once.</param>
    /// <param name="maxConcurrency">Calls in flight at most.</param>
    public RateLimitGate(TimeProvider time, TimeSpan maxWait, int maxConcurrency)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _maxWait = maxWait;
        _concurrency = new SemaphoreSlim(Math.Max(1, maxConcurrency));
    }

    /// <summary>Requests left in the current window as GitHub last reported it; null before the first response.</summary>
    public long? Remaining
    {
        get
        {
            lock (_sync)
            {
                return _remaining;
            }
        }
    }

    /// <summary>The window's size as GitHub last reported it.</summary>
    public long? Limit
    {
        get
        {
            lock (_sync)
            {
                return _limit;
            }
        }
    }

    /// <summary>When the current window resets, as GitHub last reported it.</summary>
    public DateTimeOffset? ResetAt
    {
        get
        {
            lock (_sync)
            {
                return _resetAt;
            }
        }
    }

    /// <summary>When calls may resume; in the past while calls flow.</summary>
    public DateTimeOffset PausedUntil
    {
        get
        {
            lock (_sync)
            {
                return _pausedUntil;
            }
        }
    }

    /// <summary>Waits for a slot and for any hold to end; the returned lease frees the slot.</summary>
    /// <exception cref="GitHubRateLimitedException">The hold lasts longer than the longest wait.</exception>
    public async Task<IDisposable> EnterAsync(string call, CancellationToken cancellationToken)
    {
        var wait = PausedUntil - _time.GetUtcNow();
        if (wait > _maxWait)
        {
            throw Limited(call);
        }

        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }

        await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Lease(_concurrency);
    }

    /// <summary>
    /// Takes in a response's rate-limit headers; for a refusal by rate limit (403/429 with the limit's signs) holds
    /// calls and returns the exception to throw, else null.
    /// </summary>
    /// <param name="call">The call, for the message.</param>
    /// <param name="status">The response's status.</param>
    /// <param name="headers">The response's headers.</param>
    /// <param name="errorMessage">GitHub's error message of a refusal (secondary limits say so only there).</param>
    internal GitHubRateLimitedException? Observe(string call, HttpStatusCode status, HttpResponseHeaders headers, string? errorMessage = null)
    {
        ArgumentNullException.ThrowIfNull(headers);
        var now = _time.GetUtcNow();
        var remaining = Long(headers, "X-RateLimit-Remaining");
        var limit = Long(headers, "X-RateLimit-Limit");
        var reset = Long(headers, "X-RateLimit-Reset") is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : (DateTimeOffset?)null;
        TimeSpan? retryAfter = headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => null,
        };
        lock (_sync)
        {
            if (remaining is not null)
            {
                _remaining = remaining;
                _limit = limit ?? _limit;
                _resetAt = reset ?? _resetAt;
            }

            var refused = status is HttpStatusCode.TooManyRequests
                || (status == HttpStatusCode.Forbidden && (remaining == 0 || retryAfter is not null || (errorMessage?.Contains("rate limit", StringComparison.OrdinalIgnoreCase) ?? false)));
            DateTimeOffset? until = null;
            if (retryAfter is { } after)
            {
                until = now + (after < TimeSpan.Zero ? TimeSpan.Zero : after);
            }
            else if (remaining == 0 && reset is { } at)
            {
                until = at;
            }
            else if (refused)
            {
                until = now + SecondaryLimitPause;
            }

            if (until is { } hold && hold > _pausedUntil && (refused || remaining == 0))
            {
                _pausedUntil = hold;
            }

            return refused ? Limited(call) : null;
        }
    }

    private GitHubRateLimitedException Limited(string call)
    {
        var until = PausedUntil;
        return new GitHubRateLimitedException(until, $"{call}: GitHub rate limit reached; calls paused until {until:O}");
    }

    private static long? Long(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private sealed class Lease(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
