using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Drover.Core.Adapters;

namespace Drover.Forges.GitHub.Api;

/// <summary>
/// Keeps one forge's calls inside GitHub's rate limits through a <see cref="CallPacer"/>: each endpoint (method and path,
/// ids left out) spends at most the secondary limit's points per window (a GET 1, any other method 5; GitHub: 900 a
/// minute), the primary budget GitHub reports on every response (<c>X-RateLimit-Remaining</c>, <c>X-RateLimit-Reset</c>)
/// is not overspent, and once GitHub refuses a call (403/429 with <c>Retry-After</c>, or a secondary limit) every call
/// is held until the time it named. A short hold is waited out; a longer one fails the call at once without sending
/// anything — <see cref="GitHubRateLimitedException"/> when the whole forge is held, <see cref="CallPacedException"/>
/// naming the endpoint when only its budget is spent — so a limit never turns into a storm of retries. Concurrency is
/// capped well below GitHub's 100 concurrent requests.
/// </summary>
public sealed class RateLimitGate
{
    /// <summary>How long GitHub asks a client to wait after a secondary limit that names no time.</summary>
    public static readonly TimeSpan SecondaryLimitPause = TimeSpan.FromMinutes(1);

    /// <summary>GitHub's secondary limit: points per endpoint and <see cref="SecondaryWindow"/>.</summary>
    public const int SecondaryPointsPerWindow = 900;

    /// <summary>The window of <see cref="SecondaryPointsPerWindow"/>.</summary>
    public static readonly TimeSpan SecondaryWindow = TimeSpan.FromMinutes(1);

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;
    private readonly SemaphoreSlim _concurrency;

    /// <param name="time">The clock.</param>
    /// <param name="maxWait">Holds up to this long are waited out; longer ones fail at once.</param>
    /// <param name="maxConcurrency">Calls in flight at most.</param>
    /// <param name="pacer">The pacer of this forge's calls; GitHub's secondary limit (<see cref="SecondaryPointsPerWindow"/> a minute) when null.</param>
    public RateLimitGate(TimeProvider time, TimeSpan maxWait, int maxConcurrency, CallPacer? pacer = null)
    {
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _maxWait = maxWait;
        _concurrency = new SemaphoreSlim(Math.Max(1, maxConcurrency));
        Pacer = pacer ?? new CallPacer(time, SecondaryPointsPerWindow, SecondaryWindow);
    }

    /// <summary>The pacer every call passes.</summary>
    public CallPacer Pacer { get; }

    /// <summary>Requests left in the current window as GitHub last reported it (less the calls sent since); null before the first response.</summary>
    public long? Remaining => Pacer.Remaining;

    /// <summary>The window's size as GitHub last reported it.</summary>
    public long? Limit => Pacer.Limit;

    /// <summary>When the current window resets, as GitHub last reported it.</summary>
    public DateTimeOffset? ResetAt => Pacer.ResetAt;

    /// <summary>When calls may resume; in the past while calls flow.</summary>
    public DateTimeOffset PausedUntil => Pacer.PausedUntil;

    /// <summary>Waits for the call's place in the pace and for a slot; the returned lease frees the slot.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path (a query is left out of the endpoint).</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="GitHubRateLimitedException">GitHub holds every call for longer than the longest wait.</exception>
    /// <exception cref="CallPacedException">The endpoint's budget is spent for longer than the longest wait (its <see cref="CallPacedException.Endpoint"/> says which).</exception>
    public async Task<IDisposable> EnterAsync(string method, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            await Pacer.EnterAsync(Endpoint(method, path), method == "GET" ? 1 : 5, _maxWait, cancellationToken).ConfigureAwait(false);
        }
        catch (CallPacedException e) when (e.Endpoint is null)
        {
            throw new GitHubRateLimitedException(e.Until, $"{method} {path}: GitHub rate limit reached; calls paused until {e.Until:O} (not sent)", e);
        }

        while (true)
        {
            await _concurrency.WaitAsync(cancellationToken).ConfigureAwait(false);

            // A refusal may have paused the forge while this call waited for its slot: it is held like any other.
            var wait = Pacer.PausedUntil - _time.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                return new Lease(_concurrency);
            }

            _concurrency.Release();
            if (wait > _maxWait)
            {
                var until = Pacer.PausedUntil;
                throw new GitHubRateLimitedException(until, $"{method} {path}: GitHub rate limit reached; calls paused until {until:O} (not sent)", new CallPacedException(null, until, $"{method} {path}: held until {until:O}"));
            }

            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint a call counts against: method and path, the query left out and numeric ids as <c>{id}</c>.</summary>
    public static string Endpoint(string method, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bare = path.Split('?')[0];
        return method + " " + string.Join('/', bare.Split('/').Select(s => s.Length > 0 && s.All(char.IsAsciiDigit) ? "{id}" : s));
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
        if (remaining is { } left)
        {
            Pacer.ObserveBudget(left, limit, reset);
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

        if (until is { } hold && (refused || remaining == 0))
        {
            Pacer.Pause(hold);
        }

        return refused ? Limited(call) : null;
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
