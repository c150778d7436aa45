namespace Drover.Core.Adapters;

/// <summary>
/// Paces one forge's API calls so that the forge never has to refuse one: a call goes out only when (1) its endpoint
/// has points left in a sliding window (GitHub's secondary limit: points per endpoint and minute, GitLab's per-endpoint
/// limits), (2) the forge's primary budget as it last reported it (<c>X-RateLimit-Remaining</c> /
/// <c>RateLimit-Remaining</c>, less the calls sent since) is not spent before its reset, and (3) no pause the forge asked
/// for (<c>Retry-After</c>) is running — a pause holds every call to the forge, whatever its endpoint. A call that may go
/// out later reserves its place at that time, so concurrent callers queue in order instead of all waking at once; one
/// whose place is further away than the caller waits gets <see cref="CallPacedException"/>, and nothing is sent.
/// The window the pacer keeps is the forge's window plus a margin, so calls the forge counts by their arrival never
/// land in one of its windows more than the budget allows.
/// </summary>
public sealed class CallPacer
{
    private readonly TimeProvider _time;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, Queue<(DateTimeOffset At, int Points)>> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _inWindow = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Endpoint, long Index), int> _alignedPoints = [];
    private readonly Dictionary<string, DateTimeOffset> _lastAt = new(StringComparer.Ordinal);
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
    private long? _remaining;
    private long? _limit;
    private DateTimeOffset? _resetAt;

    /// <param name="time">The clock.</param>
    /// <param name="pointsPerWindow">Points one endpoint may spend per <paramref name="window"/>; 0 for no per-endpoint budget.</param>
    /// <param name="window">The forge's window for <paramref name="pointsPerWindow"/>.</param>
    /// <param name="margin">
    /// Added to <paramref name="window"/> (the time a call takes to reach the forge, so that the forge's window, which
    /// starts when a call arrives, never holds calls of two of the pacer's windows); by default 2.5% of the window, at
    /// least 250 ms.
    /// </param>
    /// <param name="aligned">
    /// The forge counts in fixed windows aligned to multiples of their length since the Unix epoch (GitLab's throttles)
    /// rather than in windows that start with a call: the pacer counts so too, a call within the margin before a
    /// window's end counting in both windows it may arrive in.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">A negative budget, or a budget with a window that is not positive.</exception>
    public CallPacer(TimeProvider time, int pointsPerWindow, TimeSpan window, TimeSpan? margin = null, bool aligned = false)
    {
        Aligned = aligned;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        ArgumentOutOfRangeException.ThrowIfNegative(pointsPerWindow);
        if (pointsPerWindow > 0 && window <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "the window of a per-endpoint budget must be positive");
        }

        PointsPerWindow = pointsPerWindow;
        Window = window;
        var least = TimeSpan.FromMilliseconds(250);
        Span = window + (margin ?? (window / 40 > least ? window / 40 : least));
    }

    /// <summary>Points one endpoint may spend per <see cref="Window"/>; 0: no per-endpoint budget.</summary>
    public int PointsPerWindow { get; }

    /// <summary>The forge's window of <see cref="PointsPerWindow"/>.</summary>
    public TimeSpan Window { get; }

    /// <summary>Whether the budget is counted in windows aligned to multiples of <see cref="Window"/> (else a sliding window of <see cref="Span"/>).</summary>
    public bool Aligned { get; }

    /// <summary>The sliding window the pacer keeps: <see cref="Window"/> and the margin.</summary>
    public TimeSpan Span { get; }

    /// <summary>Requests left in the primary window as the forge last reported it, less the calls let out since; null before the first report.</summary>
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

    /// <summary>The primary window's size as the forge last reported it.</summary>
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

    /// <summary>When the primary window resets, as the forge last reported it.</summary>
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

    /// <summary>Until when the forge asked for no calls at all (<c>Retry-After</c>, or a spent primary budget); in the past while calls flow.</summary>
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

    /// <summary>
    /// Takes <paramref name="points"/> of <paramref name="endpoint"/>'s budget and one request of the primary budget,
    /// waiting for them up to <paramref name="maxWait"/>.
    /// </summary>
    /// <param name="endpoint">The endpoint as the forge counts it, e.g. <c>POST /repos/{o}/{r}/actions/runners/generate-jitconfig</c>.</param>
    /// <param name="points">What the call costs (GitHub: a GET 1, any other method 5).</param>
    /// <param name="maxWait">The longest the caller waits.</param>
    /// <param name="cancellationToken">Cancels the wait (the place stays taken: the pacer errs on the side of the forge).</param>
    /// <exception cref="CallPacedException">The call could go out only later than <paramref name="maxWait"/>; nothing was taken.</exception>
    public async Task EnterAsync(string endpoint, int points, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var wait = Reserve(endpoint, points, maxWait);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Takes the call's place as <see cref="EnterAsync"/> does and returns how long the caller must wait before sending.
    /// </summary>
    /// <exception cref="CallPacedException">The call could go out only later than <paramref name="maxWait"/>; nothing was taken.</exception>
    public TimeSpan Reserve(string endpoint, int points, TimeSpan maxWait)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpoint);
        ArgumentOutOfRangeException.ThrowIfLessThan(points, 1);
        lock (_sync)
        {
            var now = _time.GetUtcNow();
            var at = now;
            var whole = false;
            if (_pausedUntil > at)
            {
                (at, whole) = (_pausedUntil, true);
            }

            if (_remaining is <= 0 && _resetAt is { } reset && reset > at)
            {
                (at, whole) = (reset, true);
            }

            if (whole && at - now > maxWait)
            {
                throw new CallPacedException(endpoint: null, at, $"{endpoint}: rate limited; the forge asked for no calls until {at:O}; not sent");
            }

            if (PointsPerWindow > 0 && Aligned)
            {
                at = AlignedFit(endpoint, at, points, now);
                if (at - now > maxWait)
                {
                    throw new CallPacedException(endpoint, at, $"{endpoint}: rate limited; its budget of {PointsPerWindow} per {Window.TotalSeconds:0.#} s is spent until {at:O}; not sent");
                }

                var first = Index(at);
                var last = Index(at + (Span - Window));
                for (var index = first; index <= last; index++)
                {
                    _alignedPoints[(endpoint, index)] = _alignedPoints.GetValueOrDefault((endpoint, index)) + points;
                }

                _lastAt[endpoint] = at;
            }

            var queue = PointsPerWindow > 0 && !Aligned ? Queue(endpoint, now) : null;
            if (queue is not null)
            {
                if (points > PointsPerWindow)
                {
                    throw new ArgumentOutOfRangeException(nameof(points), points, $"a call of {points} points never fits a budget of {PointsPerWindow} points per window");
                }

                // Places are taken in order: a call never goes out before one that reserved earlier.
                if (queue.Count > 0 && queue.Last().At > at)
                {
                    at = queue.Last().At;
                }

                at = EarliestFit(queue, _inWindow[endpoint], at, points);
                if (at - now > maxWait)
                {
                    throw new CallPacedException(whole ? null : endpoint, at, whole
                        ? $"{endpoint}: rate limited; the forge asked for no calls until {at:O}; not sent"
                        : $"{endpoint}: rate limited; its budget of {PointsPerWindow} points per {Window.TotalSeconds:0.#} s is spent until {at:O}; not sent");
                }

                queue.Enqueue((at, points));
                _inWindow[endpoint] += points;
            }

            if (_remaining is { } left && (_resetAt is not { } r || r > at))
            {
                _remaining = left - 1;
            }

            return at - now;
        }
    }

    /// <summary>Takes in the primary budget a response reported: requests left, the window's size, and when it resets.</summary>
    public void ObserveBudget(long remaining, long? limit, DateTimeOffset? resetAt)
    {
        lock (_sync)
        {
            _remaining = remaining;
            _limit = limit ?? _limit;
            _resetAt = resetAt ?? _resetAt;
        }
    }

    /// <summary>Holds every call until <paramref name="until"/> (a <c>Retry-After</c>); an earlier time than a pause already running changes nothing.</summary>
    public void Pause(DateTimeOffset until)
    {
        lock (_sync)
        {
            if (until > _pausedUntil)
            {
                _pausedUntil = until;
            }
        }
    }

    /// <summary>Calls of <paramref name="endpoint"/> within the pacer's window now (reserved ones included), in points.</summary>
    public int PointsInWindow(string endpoint)
    {
        lock (_sync)
        {
            if (PointsPerWindow > 0 && Aligned)
            {
                return _alignedPoints.GetValueOrDefault((endpoint, Index(_time.GetUtcNow())));
            }

            if (PointsPerWindow == 0 || !_sent.ContainsKey(endpoint))
            {
                return 0;
            }

            Queue(endpoint, _time.GetUtcNow());
            return _inWindow[endpoint];
        }
    }

    /// <summary>
    /// Aligned windows: the earliest time from <paramref name="from"/> on (and not before the endpoint's last place) at
    /// which <paramref name="points"/> fit in the window the call goes out in and in the next one when it may arrive
    /// there. Called under the lock.
    /// </summary>
    private DateTimeOffset AlignedFit(string endpoint, DateTimeOffset from, int points, DateTimeOffset now)
    {
        if (points > PointsPerWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(points), points, $"a call of {points} points never fits a budget of {PointsPerWindow} points per window");
        }

        if (_alignedPoints.Count > 256)
        {
            var current = Index(now);
            foreach (var key in _alignedPoints.Keys.Where(k => k.Index < current - 1).ToList())
            {
                _alignedPoints.Remove(key);
            }
        }

        var at = _lastAt.TryGetValue(endpoint, out var lastAt) && lastAt > from ? lastAt : from;
        while (true)
        {
            var first = Index(at);
            var last = Index(at + (Span - Window));
            var full = -1L;
            for (var index = first; index <= last; index++)
            {
                if (_alignedPoints.GetValueOrDefault((endpoint, index)) + points > PointsPerWindow)
                {
                    full = index;
                }
            }

            if (full < 0)
            {
                return at;
            }

            at = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((full + 1) * Window.Ticks);
        }
    }

    private long Index(DateTimeOffset at) => (at - DateTimeOffset.UnixEpoch).Ticks / Window.Ticks;

    /// <summary>The endpoint's calls, without those that left the window before <paramref name="now"/>. Called under the lock.</summary>
    private Queue<(DateTimeOffset At, int Points)> Queue(string endpoint, DateTimeOffset now)
    {
        if (!_sent.TryGetValue(endpoint, out var queue))
        {
            _sent[endpoint] = queue = new Queue<(DateTimeOffset At, int Points)>();
            _inWindow[endpoint] = 0;
        }

        while (queue.Count > 0 && queue.Peek().At + Span <= now)
        {
            _inWindow[endpoint] -= queue.Dequeue().Points;
        }

        return queue;
    }

    /// <summary>
    /// The earliest time from <paramref name="from"/> on at which <paramref name="points"/> more fit in the window that
    /// ends then: each call leaves the window <see cref="Span"/> after its own time. Called under the lock.
    /// </summary>
    private DateTimeOffset EarliestFit(Queue<(DateTimeOffset At, int Points)> queue, int total, DateTimeOffset from, int points)
    {
        var at = from;
        foreach (var (sentAt, cost) in queue)
        {
            if (sentAt + Span <= at)
            {
                total -= cost;
                continue;
            }

            if (total + points <= PointsPerWindow)
            {
                break;
            }

            // Wait until this call has left the window.
            at = sentAt + Span;
            total -= cost;
        }

        return at;
    }
}
