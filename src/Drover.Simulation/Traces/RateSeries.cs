namespace Drover.Simulation.Traces;

/// <summary>
/// Job counts per fixed-width time bin, in time order. Rows may skip bins: a skipped stretch is a
/// <see cref="RateGap"/> (no data), unlike a row counting zero.
/// </summary>
public sealed class RateSeries
{
    private readonly RateBin[] _bins;

    public RateSeries(IEnumerable<RateBin> bins, TimeSpan binWidth)
    {
        ArgumentNullException.ThrowIfNull(bins);
        ArgumentOutOfRangeException.ThrowIfLessThan(binWidth, TimeSpan.FromMilliseconds(1));
        _bins = [.. bins];
        BinWidth = binWidth;
        var widthMs = (long)binWidth.TotalMilliseconds;
        var gaps = new List<RateGap>();
        for (var i = 1; i < _bins.Length; i++)
        {
            var step = _bins[i].StartUnixMs - _bins[i - 1].StartUnixMs;
            if (step < widthMs)
            {
                throw new ArgumentException($"bins {i - 1} and {i} overlap: {step} ms apart, bin width {widthMs} ms", nameof(bins));
            }

            if (step > widthMs)
            {
                var from = _bins[i - 1].StartUnixMs + widthMs;
                gaps.Add(new RateGap(
                    DateTimeOffset.FromUnixTimeMilliseconds(from),
                    DateTimeOffset.FromUnixTimeMilliseconds(_bins[i].StartUnixMs),
                    (_bins[i].StartUnixMs - from) / widthMs));
            }
        }

        Gaps = gaps;
    }

    public IReadOnlyList<RateBin> Bins => _bins;

    public TimeSpan BinWidth { get; }

    /// <summary>Stretches between rows longer than one bin.</summary>
    public IReadOnlyList<RateGap> Gaps { get; }

    public long TotalCount => _bins.Sum(b => (long)b.Count);

    public int ZeroBins => _bins.Count(b => b.Count == 0);
}
