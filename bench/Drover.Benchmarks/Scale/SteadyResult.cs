using System.Globalization;
using System.Text;

namespace Drover.Benchmarks.Scale;

/// <summary>What the steady-state part of <c>bench scale</c> measured.</summary>
internal sealed record SteadyResult
{
    public required SteadyOptions Options { get; init; }

    public TimeSpan Warmup { get; init; }

    public int LiveMin { get; init; }

    public int LiveMax { get; init; }

    public TimeSpan Elapsed { get; init; }

    public long Cycles { get; init; }

    public double CycleP50Ms { get; init; }

    public double CycleP99Ms { get; init; }

    public double CycleMaxMs { get; init; }

    /// <summary>Each cycle step's p50 and p99 (<c>drover_plan_cycle_step_seconds</c>), in milliseconds.</summary>
    public IReadOnlyDictionary<string, (double P50, double P99)> StepMs { get; init; } = new Dictionary<string, (double, double)>();

    public double CpuPerWall { get; init; }

    public long PeakRssBytes { get; init; }

    public long PeakHeapBytes { get; init; }

    public long PeakCommittedBytes { get; init; }

    public long HeapAfterFullGcBytes { get; init; }

    public int JobsSubmitted { get; init; }

    public double StoreBytesPerDay { get; init; }

    public long StoreBytesAtEnd { get; init; }

    public required IReadOnlyDictionary<string, double> RowsPerDay { get; init; }

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"steady [{Options.Store}] {Options.Pools} pools x idle {Options.Idle}: warm in {Warmup.TotalSeconds:0.0}s, live runners {LiveMin}-{LiveMax}, {JobsSubmitted} jobs in {Elapsed.TotalSeconds:0.0}s ({Options.JobsPerHour:0}/h)");
        text.AppendLine(c, $"  cycles {Cycles}: p50 {CycleP50Ms:0.00} ms, p99 {CycleP99Ms:0.00} ms, max {CycleMaxMs:0.00} ms (goal p99 < 100 ms)");
        text.AppendLine(c, $"  steps p50/p99 ms: {string.Join(", ", StepMs.OrderByDescending(s => s.Value.P99).Select(s => $"{s.Key} {s.Value.P50:0.0}/{s.Value.P99:0.0}"))}");
        text.AppendLine(c, $"  CPU {CpuPerWall:0.000} s per wall s; peak RSS {PeakRssBytes / 1048576.0:0} MB (goal < 200 MB); managed heap peak {PeakHeapBytes / 1048576.0:0} MB, {HeapAfterFullGcBytes / 1048576.0:0} MB after a full GC, GC committed peak {PeakCommittedBytes / 1048576.0:0} MB");
        text.AppendLine(c, $"  store {StoreBytesAtEnd / 1048576.0:0.0} MB at end, growing {StoreBytesPerDay / 1048576.0:0} MB/day; rows/day: {string.Join(", ", RowsPerDay.Select(r => $"{r.Key} {r.Value:0}"))}");
        return text.ToString();
    }
}
