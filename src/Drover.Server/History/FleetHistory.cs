namespace Drover.Server.History;

/// <summary>
/// A bounded, in-memory ring of <see cref="FleetSample"/>s, oldest first: at most <see cref="Capacity"/> samples
/// (retention ÷ interval), the oldest dropped when full. Thread-safe. Kept per replica and lost on restart: it serves the
/// dashboard's charts, not accounting (the cost ledger and the event log are the durable records).
/// </summary>
internal sealed class FleetHistory
{
    /// <summary>The most samples any history keeps, whatever the interval and retention: a memory bound.</summary>
    public const int MaxCapacity = 100_000;

    private readonly Lock _lock = new();
    private readonly FleetSample[] _ring;
    private int _start;
    private int _count;

    /// <param name="interval">How often a sample is taken.</param>
    /// <param name="retention">How far back samples are kept.</param>
    public FleetHistory(TimeSpan interval, TimeSpan retention)
    {
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(interval), interval, "the history's sample interval must be positive");
        }

        if (retention < interval)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, $"the history's retention must be at least its interval ({interval})");
        }

        var capacity = Math.Ceiling(retention / interval);
        if (capacity > MaxCapacity)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, $"retention {retention} at one sample every {interval} is {capacity} samples; at most {MaxCapacity}");
        }

        Interval = interval;
        Retention = retention;
        _ring = new FleetSample[(int)capacity];
    }

    /// <summary>How often a sample is taken.</summary>
    public TimeSpan Interval { get; }

    /// <summary>How far back samples are kept.</summary>
    public TimeSpan Retention { get; }

    /// <summary>The most samples kept.</summary>
    public int Capacity => _ring.Length;

    /// <summary>Samples held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Appends a sample, dropping the oldest when full.</summary>
    public void Add(FleetSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        lock (_lock)
        {
            if (_count < _ring.Length)
            {
                _ring[(_start + _count) % _ring.Length] = sample;
                _count++;
            }
            else
            {
                _ring[_start] = sample;
                _start = (_start + 1) % _ring.Length;
            }
        }
    }

    /// <summary>
    /// The samples taken at or after <paramref name="from"/>, oldest first, at most one per <paramref name="step"/>: of
    /// the samples in each step-long bucket (counted from <paramref name="from"/>) the newest stands for the bucket.
    /// </summary>
    public IReadOnlyList<FleetSample> Read(DateTimeOffset from, TimeSpan step)
    {
        if (step <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(step), step, "step must be positive");
        }

        var result = new List<FleetSample>();
        long? bucket = null;
        lock (_lock)
        {
            for (var i = 0; i < _count; i++)
            {
                var sample = _ring[(_start + i) % _ring.Length];
                if (sample.At < from)
                {
                    continue;
                }

                var current = (sample.At - from).Ticks / step.Ticks;
                if (current == bucket)
                {
                    result[^1] = sample;
                }
                else
                {
                    result.Add(sample);
                    bucket = current;
                }
            }
        }

        return result;
    }
}
