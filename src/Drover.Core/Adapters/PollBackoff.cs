namespace Drover.Core.Adapters;

/// <summary>
/// The wait of a demand source's poll loop (a forge's poller): the poll interval while rounds succeed; after failed
/// rounds an exponential backoff with jitter, <see cref="FirstDelay"/> doubling per failed round up to the larger of
/// <see cref="MaxDelay"/> and the interval. Says when a run of failures starts and when it ends, so that a loop logs
/// those two moments instead of every attempt. Not thread-safe: one loop owns one.
/// </summary>
public sealed class PollBackoff
{
    /// <summary>The wait after the first failed round (before jitter): 1 s.</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between failed rounds, unless the poll interval is longer: 60 s.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(60);

    private readonly TimeSpan _interval;
    private readonly Random _random;
    private DateTimeOffset? _failingSince;

    /// <param name="interval">The wait between successful rounds.</param>
    /// <param name="random">The jitter source (seeded per replica, injected).</param>
    public PollBackoff(TimeSpan interval, Random random)
    {
        _interval = interval;
        _random = random ?? throw new ArgumentNullException(nameof(random));
    }

    /// <summary>Failed rounds in a row; 0 while rounds succeed.</summary>
    public int Failures { get; private set; }

    /// <summary>When the current run of failed rounds started; null while rounds succeed.</summary>
    public DateTimeOffset? FailingSince => _failingSince;

    /// <summary>
    /// Records a successful round; returns the wait before the next one and, when this ends a run of failures, how
    /// many rounds failed and since when (log "recovered" once).
    /// </summary>
    public (TimeSpan Wait, (int Rounds, DateTimeOffset Since)? Recovered) Succeeded()
    {
        (int, DateTimeOffset)? recovered = _failingSince is { } since ? (Failures, since) : null;
        Failures = 0;
        _failingSince = null;
        return (_interval, recovered);
    }

    /// <summary>
    /// Records a failed round at <paramref name="now"/>; returns the wait before the next one (jittered between half
    /// and all of the backoff) and whether this round started a run of failures (log "failing" once).
    /// </summary>
    public (TimeSpan Wait, bool Started) Failed(DateTimeOffset now)
    {
        var started = _failingSince is null;
        _failingSince ??= now;
        Failures++;
        var backoff = Exponential(Failures, FirstDelay, _interval > MaxDelay ? _interval : MaxDelay);
        return (backoff * (0.5 + (0.5 * Share(_random))), started);
    }

    /// <summary>
    /// The wait after <paramref name="failures"/> failures in a row (1 or more), before jitter: <paramref name="first"/>,
    /// doubling per failure, never more than <paramref name="cap"/>. Shared by every retry loop that backs off.
    /// </summary>
    public static TimeSpan Exponential(int failures, TimeSpan first, TimeSpan cap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var exponent = Math.Min(failures - 1, 30);
        return TimeSpan.FromTicks((long)Math.Min(cap.Ticks, first.Ticks * Math.Pow(2, exponent)));
    }

    /// <summary>A uniform share in [0, 1) from <paramref name="random"/>, which several loops may share.</summary>
    public static double Share(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        lock (random)
        {
            return random.NextDouble();
        }
    }
}
