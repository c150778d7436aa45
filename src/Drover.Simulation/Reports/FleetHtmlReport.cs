using System.Globalization;
using System.Net;
using System.Text;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Reports;

/// <summary>
/// A <see cref="FleetReport"/> as one self-contained HTML page (inline SVG, no scripts, no downloads): the tables per
/// pool and per team, the unmatched jobs, and for each sweep its wait/cost curve, its table and the recommendation.
/// </summary>
public static class FleetHtmlReport
{
    public static string Render(FleetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var result = report.Result;
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drover fleet simulation — ").Append(Esc(report.Title)).Append("</title>");
        html.Append("<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}")
            .Append("table{border-collapse:collapse;font-size:12px;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append("tr.total td{font-weight:bold}tr.configured td{background:#f3f3f3}tr.best td{background:#eef7ee}.note{color:#555;font-size:13px}.lead{font-size:15px}pre{background:#f6f6f6;padding:8px;font-size:12px}</style></head><body>");
        html.Append("<h1>Drover capacity plan for your fleet</h1><p class=\"lead\">").Append(Esc(report.Title)).Append("</p>");
        foreach (var note in report.Notes)
        {
            html.Append("<p class=\"note\">").Append(Esc(note)).Append("</p>");
        }

        foreach (var setting in report.Settings)
        {
            html.Append("<p class=\"note\">set: <code>").Append(Esc(setting)).Append("</code></p>");
        }

        if (report.Recommendations.Count > 0)
        {
            html.Append(inv, $"<h2>Recommendations</h2><p class=\"note\">The cheapest setting with a p95 wait of at most {report.TargetWaitSeconds:0} s in each sweep; every figure comes from a run of exactly that setting.</p><ul id=\"recommendations\">");
            foreach (var r in report.Recommendations)
            {
                html.Append("<li class=\"lead\">").Append(Esc(r.Text));
                if (r.Schedule is not null)
                {
                    html.Append("<pre>").Append(Esc(r.Schedule)).Append("</pre>");
                }

                html.Append("</li>");
            }

            html.Append("</ul>");
        }

        html.Append("<h2>Pools</h2>");
        Table(html, "pool", [.. result.Pools.Select(p => (p, string.Empty)), (FleetConsoleReport.Total(result), "total")]);
        html.Append("<h2>Teams</h2>");
        Table(html, "team", [.. result.Teams.Select(t => (t, string.Empty))]);
        html.Append(inv, $"<p class=\"note\">Cost in {Esc(result.Currency)} at the fleet's prices; idle waste {result.IdleCost:N2}. Waits in seconds; runner-minutes count booting, idle and busy time.</p>");
        if (report.UnmatchedJobs > 0)
        {
            html.Append(inv, $"<h2>Unmatched jobs</h2><p class=\"lead\" id=\"unmatched\">{report.UnmatchedJobs:N0} jobs no pool of forge {Esc(report.Forge)} takes; they are not simulated.</p><table><tr><th>labels</th><th>scope</th><th>jobs</th></tr>");
            foreach (var u in report.Unmatched)
            {
                html.Append(inv, $"<tr><td>{Esc(string.Join(", ", u.Labels))}</td><td>{Esc(u.Scope ?? "(any)")}</td><td>{u.Jobs:N0}</td></tr>");
            }

            html.Append("</table>");
        }

        if (report.OtherForgePools.Count > 0)
        {
            html.Append("<p class=\"note\">Not simulated: the pools of other forges (").Append(Esc(string.Join(", ", report.OtherForgePools))).Append(").</p>");
        }

        foreach (var sweep in report.Sweeps)
        {
            var recommended = report.Recommendations.FirstOrDefault(r => r.Path == sweep.Path)?.Value;
            html.Append(inv, $"<h2>Sweep of {Esc(sweep.Path)}</h2><p class=\"note\">Each point is one value of {Esc(sweep.Field)} (configured: {Esc(sweep.Configured)}): {Esc(sweep.Pool)}'s p95 queue wait against its runner-minutes. Down and to the left is better; the recommended value is marked.</p>");
            html.Append("<div class=\"sweep\">");
            html.Append(SvgChart.Curve(
                [.. sweep.Points.Select(p => ($"{sweep.Field} {p.Value}", p.Pool.RunnerMinutes, p.Pool.WaitP95Seconds, p.Value == recommended))],
                $"{sweep.Pool} runner-minutes",
                "p95 wait (s)"));
            html.Append("</div>");
            Table(html, sweep.Field, [.. sweep.Points.Select(p => (p.Pool with { Name = p.Value }, p.Value == recommended ? "best" : p.Value == sweep.Configured ? "configured" : string.Empty))]);
        }

        html.Append("</body></html>");
        return html.ToString();
    }

    private static void Table(StringBuilder html, string first, IReadOnlyList<(SliceResult Slice, string Css)> rows)
    {
        html.Append("<div style=\"overflow-x:auto\"><table><tr><th>").Append(Esc(first)).Append("</th><th>jobs</th><th>p50 s</th><th>p95 s</th><th>max s</th><th>runner-min</th><th>idle min</th><th>cost</th><th>peak</th></tr>");
        foreach (var (s, css) in rows)
        {
            var jobs = s.JobsStarted >= s.Jobs ? s.Jobs.ToString("N0", CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{s.JobsStarted:N0} of {s.Jobs:N0} ran");
            html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{css}\"><td>{Esc(s.Name)}</td><td>{jobs}</td><td>{s.WaitP50Seconds:0.#}</td><td>{s.WaitP95Seconds:0.#}</td><td>{s.WaitMaxSeconds:0}</td><td>{s.RunnerMinutes:N0}</td><td>{s.IdleMinutes:N0}</td><td>{s.Cost:N2}</td><td>{s.PeakRunners}</td></tr>");
        }

        html.Append("</table></div>");
    }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
