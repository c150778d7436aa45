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

    public required IReadOnlyDictionary<string, long> RowsAtEnd { get; init; }

    /// <summary>Cycles of the window that ran (part of) a cost pass, and how long that part took.</summary>
    public int CostPasses { get; init; }

    public double CostPassP50Ms { get; init; }

    public double CostPassMaxMs { get; init; }

    /// <summary>When the measured window began and ended (UTC): the cost ledger closes every runner's line at each hour.</summary>
    public DateTimeOffset WindowStart { get; init; }

    public DateTimeOffset WindowEnd { get; init; }

    /// <summary>Cost lines the window added that end on an hour (the lines every runner gets at each hour's end).</summary>
    public long HourLines { get; init; }

    /// <summary>True when the window held a UTC hour's end.</summary>
    public bool HeldHourEnd => new DateTimeOffset(WindowStart.Year, WindowStart.Month, WindowStart.Day, WindowStart.Hour, 0, 0, TimeSpan.Zero).AddHours(1) <= WindowEnd;

    /// <summary>
    /// Rows per day of each table in the steady state: the window's rate, except for <c>cost_ledger</c>, whose lines at
    /// an hour's end come 24 times a day whether or not the window held one: the window's other lines at its rate,
    /// plus 24 times the hour's lines (the window's when it held an hour's end, else one per live runner).
    /// </summary>
    public IReadOnlyDictionary<string, double> SteadyRowsPerDay()
    {
        var rows = RowsPerDay.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
        if (rows.ContainsKey("cost_ledger"))
        {
            var perDay = 86_400 / Elapsed.TotalSeconds;
            rows["cost_ledger"] = rows["cost_ledger"] - (HourLines * perDay) + (24.0 * (HeldHourEnd ? HourLines : LiveMax));
        }

        return rows;
    }

    /// <summary>Rows each retained table holds at most with the default retention (30 days; cost lines 90 days).</summary>
    public IReadOnlyDictionary<string, double> KeptByDefaultRetention()
    {
        var steady = SteadyRowsPerDay();
        var days = new Dictionary<string, double>(StringComparer.Ordinal) { ["events"] = 30, ["jobs"] = 30, ["runners"] = 30, ["runner_history"] = 30, ["cost_ledger"] = 90 };
        return days.Where(d => steady.ContainsKey(d.Key)).ToDictionary(d => d.Key, d => steady[d.Key] * d.Value + RowsAtEnd.GetValueOrDefault(d.Key), StringComparer.Ordinal);
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"steady [{Options.Store}] {Options.Pools} pools x idle {Options.Idle}: warm in {Warmup.TotalSeconds:0.0}s, live runners {LiveMin}-{LiveMax}, {JobsSubmitted} jobs in {Elapsed.TotalSeconds:0.0}s ({Options.JobsPerHour:0}/h)");
        text.AppendLine(c, $"  cycles {Cycles}: p50 {CycleP50Ms:0.00} ms, p99 {CycleP99Ms:0.00} ms, max {CycleMaxMs:0.00} ms (goal p99 < 100 ms)");
        text.AppendLine(c, $"  steps p50/p99 ms: {string.Join(", ", StepMs.OrderByDescending(s => s.Value.P99).Select(s => $"{s.Key} {s.Value.P50:0.0}/{s.Value.P99:0.0}"))}");
        text.AppendLine(c, $"  cost pass in {CostPasses} cycles: p50 {CostPassP50Ms:0.00} ms, max {CostPassMaxMs:0.00} ms (aim < 10 ms)");
        text.AppendLine(c, $"  CPU {CpuPerWall:0.000} s per wall s; peak RSS {PeakRssBytes / 1048576.0:0} MB (goal < 200 MB); managed heap peak {PeakHeapBytes / 1048576.0:0} MB, {HeapAfterFullGcBytes / 1048576.0:0} MB after a full GC, GC committed peak {PeakCommittedBytes / 1048576.0:0} MB");
        text.AppendLine(c, $"  store {StoreBytesAtEnd / 1048576.0:0.0} MB at end, growing {StoreBytesPerDay / 1048576.0:0} MB/day; rows/day: {string.Join(", ", RowsPerDay.Select(r => $"{r.Key} {r.Value:0}"))}");
        text.AppendLine(c, $"  window {WindowStart:HH:mm:ss}-{WindowEnd:HH:mm:ss} UTC, {(HeldHourEnd ? $"held an hour's end ({HourLines} lines closed on the hour)" : "held no hour's end")}; steady cost_ledger rows/day, with 24 hours' ends a day: {SteadyRowsPerDay()["cost_ledger"]:0}");
        var kept = KeptByDefaultRetention();
        text.AppendLine(c, $"  steady rows/day: {string.Join(", ", SteadyRowsPerDay().Select(r => $"{r.Key} {r.Value:0}"))}");
        var bytesPerRow = RowsAtEnd.Values.Sum() == 0 ? 0 : (double)StoreBytesAtEnd / RowsAtEnd.Values.Sum();
        text.AppendLine(c, $"  default retention (30 days; cost lines 90) holds at most: {string.Join(", ", kept.Select(k => $"{k.Key} {k.Value:0}"))} rows; at the store's {bytesPerRow:0} bytes a row at the end, about {kept.Values.Sum() * bytesPerRow / 1073741824.0:0.0} GB");
        return text.ToString();
    }
}
