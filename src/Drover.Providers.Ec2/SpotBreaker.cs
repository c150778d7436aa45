namespace Drover.Providers.Ec2;

/// <summary>
/// The spot circuit breaker of each pool: after <c>interruptions</c> spot interruptions within <c>window</c> (default
/// 2 in 15 minutes) the pool's instances are launched on-demand for <c>onDemandFor</c> (default 30 minutes), then spot is
/// tried again. Each interrupted instance counts once. Thread-safe; in memory (a restart closes every breaker).
/// </summary>
internal sealed class SpotBreaker
{
    private readonly int _threshold;
    private readonly TimeSpan _window;
    private readonly TimeSpan _openFor;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, List<DateTimeOffset>> _interruptions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _openUntil = new(StringComparer.Ordinal);
    private readonly HashSet<string> _counted = new(StringComparer.Ordinal);

    /// <param name="threshold">Interruptions that open the breaker.</param>
    /// <param name="window">The window they are counted in.</param>
    /// <param name="openFor">How long the breaker stays open.</param>
    public SpotBreaker(int threshold, TimeSpan window, TimeSpan openFor)
    {
        _threshold = threshold;
        _window = window;
        _openFor = openFor;
    }

    /// <summary>
    /// Counts the interruption of <paramref name="instanceId"/> in <paramref name="pool"/> once: whether it was counted now
    /// (not before) and whether it opened the pool's breaker.
    /// </summary>
    public (bool Counted, bool Opened) Interrupted(string pool, string instanceId, DateTimeOffset now)
    {
        lock (_sync)
        {
            if (!_counted.Add(instanceId))
            {
                return (false, false);
            }

            if (!_interruptions.TryGetValue(pool, out var times))
            {
                _interruptions[pool] = times = [];
            }

            times.Add(now);
            times.RemoveAll(t => now - t >= _window);
            if (times.Count >= _threshold && !IsOpenLocked(pool, now))
            {
                _openUntil[pool] = now + _openFor;
                times.Clear();
                return (true, true);
            }

            return (true, false);
        }
    }

    /// <summary>True while <paramref name="pool"/> launches on-demand instead of spot.</summary>
    public bool IsOpen(string pool, DateTimeOffset now)
    {
        lock (_sync)
        {
            return IsOpenLocked(pool, now);
        }
    }

    /// <summary>The pools whose breaker is open now, with when each closes.</summary>
    public IReadOnlyDictionary<string, DateTimeOffset> Open(DateTimeOffset now)
    {
        lock (_sync)
        {
            return _openUntil.Where(e => e.Value > now).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        }
    }

    /// <summary>Forgets an instance no longer listed, so the set of counted ones stays small.</summary>
    public void Forget(string instanceId)
    {
        lock (_sync)
        {
            _counted.Remove(instanceId);
        }
    }

    private bool IsOpenLocked(string pool, DateTimeOffset now) => _openUntil.TryGetValue(pool, out var until) && until > now;
}
