using System.Globalization;

namespace Drover.Benchmarks;

/// <summary>What one ingest run measured. <see cref="Stored"/> must equal <see cref="Accepted"/>.</summary>
public sealed record IngestResult
{
    public long Requests { get; init; }

    public long Accepted { get; init; }

    public long Stored { get; init; }

    public IReadOnlyDictionary<int, long> ByStatus { get; init; } = new Dictionary<int, long>();

    public TimeSpan Elapsed { get; init; }

    public double P50Ms { get; init; }

    public double P95Ms { get; init; }

    public double P99Ms { get; init; }

    public double MaxMs { get; init; }

    public double RequestsPerSecond => Elapsed.TotalSeconds > 0 ? Requests / Elapsed.TotalSeconds : 0;

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Requests:N0} requests in {Elapsed.TotalSeconds:0.0}s = {RequestsPerSecond:N0}/s; latency p50 {P50Ms:0.00} ms, p95 {P95Ms:0.00} ms, p99 {P99Ms:0.00} ms, max {MaxMs:0.0} ms; " +
        $"status {string.Join(", ", ByStatus.Select(s => $"{(s.Key == 0 ? "error" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value:N0}"))}; accepted {Accepted:N0}, stored {Stored:N0}");
}
