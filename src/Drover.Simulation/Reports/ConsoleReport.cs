using System.Globalization;
using System.Text;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Reports;

/// <summary>The comparison as an aligned text table for a terminal.</summary>
public static class ConsoleReport
{
    private static readonly string[] Headers = ["policy", "jobs", "p50", "p95", "p99", "max", "runner-min", "busy", "idle", "boot", "x oracle", "cost", "spot int", "requeued", "peak"];

    public static string Render(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = new List<string[]> { Headers };
        rows.Add(Row(report, report.Oracle, "oracle (bound)"));
        rows.AddRange(report.Results.Select(r => Row(report, r, r.Policy)));
        var widths = Enumerable.Range(0, Headers.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        text.AppendLine(report.Title);
        foreach (var note in report.Notes)
        {
            text.Append("  note: ").AppendLine(note);
        }

        text.AppendLine();
        for (var i = 0; i < rows.Count; i++)
        {
            var cells = rows[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]));
            text.AppendLine(string.Join("  ", cells).TrimEnd());
            if (i == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }

        var frontier = report.Frontier().Select(r => r.Policy).ToList();
        text.AppendLine();
        text.Append("Pareto frontier, cheapest first (no other policy waits no longer at p95 for no more runner-minutes and is better on one): ").AppendLine(string.Join(", ", frontier));
        if (report.Knee() is { } knee)
        {
            text.Append(CultureInfo.InvariantCulture, $"knee of the frontier (past it, more runner-minutes buy little shorter waits): {knee.Policy}, p95 {Seconds(knee.WaitP95Seconds)} s at {report.RatioToOracle(knee):0.000}x the oracle").AppendLine();
        }

        var incomplete = report.Results.Where(r => !SimulationReport.IsComplete(r)).Select(r => r.Policy).ToList();
        if (incomplete.Count > 0)
        {
            text.Append("left jobs unrun (not comparable): ").AppendLine(string.Join(", ", incomplete));
        }

        var currency = report.Results.FirstOrDefault()?.Currency ?? report.Oracle.Currency;
        text.Append(CultureInfo.InvariantCulture, $"cost in {currency} at the fleet's prices (idle waste: what idle runners cost):").AppendLine();
        foreach (var r in report.Results)
        {
            var pools = string.Join(", ", r.CostByPool.Where(p => p.Value > 0).OrderByDescending(p => p.Value).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value:N2}")));
            var teams = string.Join(", ", r.CostByTeam.Where(t => t.Value > 0).OrderByDescending(t => t.Value).Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Value:N2}")));
            text.Append(CultureInfo.InvariantCulture, $"  {r.Policy}: idle waste {r.IdleCost:N2}; by pool: {(pools.Length == 0 ? "none" : pools)}; by team: {(teams.Length == 0 ? "none" : teams)}");
            if (r.BudgetsExhausted.Count > 0)
            {
                text.Append("; budgets reached: ").Append(string.Join(", ", r.BudgetsExhausted.Keys));
            }

            text.AppendLine();
        }

        text.AppendLine("waits in seconds; runner-minutes count booting + idle + busy time of every runner.");
        return text.ToString();
    }

    private static string[] Row(SimulationReport report, SimulationResult r, string name)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            name,
            SimulationReport.IsComplete(r) ? r.Jobs.ToString("N0", inv) : $"{r.JobsCompleted.ToString("N0", inv)} of {r.Jobs.ToString("N0", inv)} ran",
            Seconds(r.WaitP50Seconds),
            Seconds(r.WaitP95Seconds),
            Seconds(r.WaitP99Seconds),
            Seconds(r.WaitMaxSeconds),
            r.RunnerMinutes.ToString("N0", inv),
            r.BusyMinutes.ToString("N0", inv),
            r.IdleMinutes.ToString("N0", inv),
            r.BootingMinutes.ToString("N0", inv),
            report.RatioToOracle(r).ToString("0.000", inv),
            r.Cost.ToString("N2", inv),
            r.SpotInterruptions.ToString(inv),
            r.JobsRequeued.ToString(inv),
            r.PeakRunners.ToString(inv),
        ];
    }

    private static string Seconds(double value) => value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
}
