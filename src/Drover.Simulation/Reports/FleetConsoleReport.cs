using System.Globalization;
using System.Text;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Reports;

/// <summary>A <see cref="FleetReport"/> as aligned text tables for a terminal.</summary>
public static class FleetConsoleReport
{
    private static readonly string[] SliceHeaders = ["jobs", "p50", "p95", "max", "runner-min", "idle", "cost", "peak"];

    public static string Render(FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var result = report.Result;
        var text = new StringBuilder();
        text.AppendLine(report.Title);
        foreach (var note in report.Notes)
        {
            text.Append("  note: ").AppendLine(note);
        }

        foreach (var setting in report.Settings)
        {
            text.Append("  set: ").AppendLine(setting);
        }

        text.AppendLine();
        List<string[]> rows = [["pool", .. SliceHeaders]];
        rows.AddRange(result.Pools.Select(p => Row(p.Name, p)));
        rows.Add(Row("total", Total(result)));
        Table(text, rows);
        text.AppendLine();
        rows = [["team", .. SliceHeaders]];
        rows.AddRange(result.Teams.Select(t => Row(t.Name, t)));
        Table(text, rows);
        text.AppendLine();
        text.Append(inv, $"cost in {result.Currency} at the fleet's prices; idle waste {result.IdleCost:N2}").AppendLine();
        if (result.BudgetsExhausted.Count > 0)
        {
            text.Append("budgets reached: ").AppendLine(string.Join(", ", result.BudgetsExhausted.Select(b => string.Create(inv, $"{b.Key} at day {b.Value / 86_400:0.0}"))));
        }

        if (report.UnmatchedJobs > 0)
        {
            text.Append(inv, $"unmatched: {report.UnmatchedJobs:N0} jobs no pool of forge {report.Forge} takes (not simulated):").AppendLine();
            foreach (var u in report.Unmatched.Take(10))
            {
                text.Append(inv, $"  {u.Jobs,6:N0}  [{string.Join(", ", u.Labels)}]{(u.Scope is null ? string.Empty : " in " + u.Scope)}").AppendLine();
            }

            if (report.Unmatched.Count > 10)
            {
                text.Append(inv, $"  ... and {report.Unmatched.Count - 10} more label sets (all in --json)").AppendLine();
            }
        }
        else
        {
            text.AppendLine("unmatched: none; every job of the trace has a pool");
        }

        if (report.OtherForgePools.Count > 0)
        {
            text.Append(inv, $"not simulated: pools of other forges ({string.Join(", ", report.OtherForgePools)}); the trace is replayed as forge {report.Forge}'s jobs (--forge)").AppendLine();
        }

        foreach (var sweep in report.Sweeps)
        {
            text.AppendLine();
            text.Append(inv, $"sweep {sweep.Path} (configured: {sweep.Configured}); {sweep.Pool}'s figures and the fleet's runner-minutes:").AppendLine();
            rows = [[sweep.Field, .. SliceHeaders, "fleet runner-min"]];
            rows.AddRange(sweep.Points.Select(p => (string[])[.. Row(p.Value + (p.Value == sweep.Configured ? " *" : string.Empty), p.Pool), p.FleetRunnerMinutes.ToString("N0", inv)]));
            Table(text, rows);
        }

        if (report.Recommendations.Count > 0)
        {
            text.AppendLine();
            text.Append(inv, $"recommendations (the cheapest setting with p95 wait at most {report.TargetWaitSeconds:0} s, each figure from a run of it):").AppendLine();
            foreach (var r in report.Recommendations)
            {
                text.Append("  ").AppendLine(r.Text);
                if (r.Schedule is not null)
                {
                    foreach (var line in r.Schedule.Split('\n'))
                    {
                        text.Append("      ").AppendLine(line);
                    }
                }
            }
        }

        text.AppendLine("waits in seconds; runner-minutes count booting + idle + busy time; * marks the configured value.");
        return text.ToString();
    }

    /// <summary>The whole simulated fleet as one slice.</summary>
    internal static SliceResult Total(SimulationResult result) => new()
    {
        Name = "total",
        Jobs = result.Jobs,
        JobsStarted = result.Pools.Sum(p => p.JobsStarted),
        WaitP50Seconds = result.WaitP50Seconds,
        WaitP95Seconds = result.WaitP95Seconds,
        WaitMaxSeconds = result.WaitMaxSeconds,
        RunnerMinutes = result.RunnerMinutes,
        IdleMinutes = result.IdleMinutes,
        Cost = result.Cost,
        PeakRunners = result.PeakRunners,
    };

    private static string[] Row(string name, SliceResult s)
    {
        var inv = CultureInfo.InvariantCulture;
        return
        [
            name,
            s.JobsStarted >= s.Jobs ? s.Jobs.ToString("N0", inv) : $"{s.JobsStarted.ToString("N0", inv)} of {s.Jobs.ToString("N0", inv)} ran",
            Seconds(s.WaitP50Seconds),
            Seconds(s.WaitP95Seconds),
            Seconds(s.WaitMaxSeconds),
            s.RunnerMinutes.ToString("N0", inv),
            s.IdleMinutes.ToString("N0", inv),
            s.Cost.ToString("N2", inv),
            s.PeakRunners.ToString(inv),
        ];
    }

    private static void Table(StringBuilder text, List<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            text.AppendLine(string.Join("  ", rows[i].Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0)
            {
                text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            }
        }
    }

    private static string Seconds(double value) => value.ToString(value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture);
}
