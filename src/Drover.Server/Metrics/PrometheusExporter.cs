using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Drover.Server.Metrics;

/// <summary>
/// Renders one <see cref="Meter"/>'s instruments in the Prometheus text format (0.0.4): counters as sums,
/// histograms with cumulative buckets from the instrument's advice, observable gauges and counters read at scrape time.
/// Instrument names are used as they are (they already follow Prometheus conventions). Every instrument of the meter
/// is listed with its HELP and TYPE lines even before it has a sample, so the exposition names every series it can carry.
/// </summary>
public sealed class PrometheusExporter : IDisposable
{
    private readonly Lock _sync = new();
    private readonly MeterListener _listener = new();
    private readonly Dictionary<Instrument, Dictionary<string, double>> _sums = [];
    private readonly Dictionary<Instrument, Dictionary<string, HistogramState>> _histograms = [];
    private readonly List<Instrument> _instruments = [];
    private Dictionary<Instrument, Dictionary<string, double>> _gauges = [];

    /// <param name="meter">The meter to export; instruments of other meters are ignored.</param>
    public PrometheusExporter(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                lock (_sync)
                {
                    _instruments.Add(instrument);
                }

                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    /// <summary>The exposition text of every instrument.</summary>
    public string Render()
    {
        lock (_sync)
        {
            _gauges = [];
        }

        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        lock (_sync)
        {
            foreach (var instrument in _instruments.OrderBy(i => i.Name, StringComparer.Ordinal))
            {
                if (instrument is Histogram<double>)
                {
                    Header(text, instrument, "histogram");
                    RenderHistogram(text, instrument, _histograms.GetValueOrDefault(instrument) ?? []);
                    continue;
                }

                var type = instrument is Counter<long> or Counter<int> or Counter<double> or ObservableCounter<long> or ObservableCounter<int> or ObservableCounter<double> ? "counter" : "gauge";
                Header(text, instrument, type);
                var series = _sums.GetValueOrDefault(instrument) ?? _gauges.GetValueOrDefault(instrument) ?? [];
                foreach (var (labels, value) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(instrument.Name).Append(Braces(labels)).Append(' ').Append(Number(value)).Append('\n');
                }
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public void Dispose() => _listener.Dispose();

    private static void RenderHistogram(StringBuilder text, Instrument instrument, Dictionary<string, HistogramState> series)
    {
        foreach (var (labels, state) in series.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            long cumulative = 0;
            for (var b = 0; b < state.Bounds.Length; b++)
            {
                cumulative += state.Counts[b];
                text.Append(instrument.Name).Append("_bucket").Append(Braces(Join(labels, $"le=\"{Number(state.Bounds[b])}\""))).Append(' ').Append(cumulative).Append('\n');
            }

            text.Append(instrument.Name).Append("_bucket").Append(Braces(Join(labels, "le=\"+Inf\""))).Append(' ').Append(state.Count).Append('\n');
            text.Append(instrument.Name).Append("_sum").Append(Braces(labels)).Append(' ').Append(Number(state.Sum)).Append('\n');
            text.Append(instrument.Name).Append("_count").Append(Braces(labels)).Append(' ').Append(state.Count).Append('\n');
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_sync)
        {
            switch (instrument)
            {
                case Histogram<double> histogram:
                    if (!_histograms.TryGetValue(instrument, out var series))
                    {
                        series = [];
                        _histograms[instrument] = series;
                    }

                    if (!series.TryGetValue(labels, out var state))
                    {
                        state = new HistogramState([.. histogram.Advice?.HistogramBucketBoundaries ?? [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10]]);
                        series[labels] = state;
                    }

                    state.Add(value);
                    break;
                case ObservableGauge<int> or ObservableGauge<long> or ObservableGauge<double>:
                case ObservableCounter<int> or ObservableCounter<long> or ObservableCounter<double>:
                    // Read whole at each scrape (an observable counter reports its running total).
                    Series(_gauges, instrument)[labels] = value;
                    break;
                default:
                    var sums = Series(_sums, instrument);
                    sums[labels] = sums.GetValueOrDefault(labels) + value;
                    break;
            }
        }
    }

    private static Dictionary<string, double> Series(Dictionary<Instrument, Dictionary<string, double>> all, Instrument instrument)
    {
        if (!all.TryGetValue(instrument, out var series))
        {
            series = new Dictionary<string, double>(StringComparer.Ordinal);
            all[instrument] = series;
        }

        return series;
    }

    private static void Header(StringBuilder text, Instrument instrument, string type)
    {
        text.Append("# HELP ").Append(instrument.Name).Append(' ').Append(instrument.Description ?? instrument.Name).Append('\n');
        text.Append("# TYPE ").Append(instrument.Name).Append(' ').Append(type).Append('\n');
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>(tags.Length);
        foreach (var tag in tags)
        {
            var value = Convert.ToString(tag.Value, CultureInfo.InvariantCulture) ?? string.Empty;
            parts.Add($"{tag.Key}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"");
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts);
    }

    private static string Join(string labels, string extra) => labels.Length == 0 ? extra : labels + "," + extra;

    private static string Braces(string labels) => labels.Length == 0 ? string.Empty : "{" + labels + "}";

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private sealed class HistogramState(double[] bounds)
    {
        public double[] Bounds { get; } = bounds;

        public long[] Counts { get; } = new long[bounds.Length];

        public long Count { get; private set; }

        public double Sum { get; private set; }

        public void Add(double value)
        {
            Count++;
            Sum += value;
            var index = Array.FindIndex(Bounds, b => value <= b);
            if (index >= 0)
            {
                Counts[index]++;
            }
        }
    }
}
