using System.Globalization;
using System.Net;
using System.Text;
using Drover.Simulation.Engine;

namespace Drover.Simulation.Reports;

/// <summary>
/// A self-contained HTML page (inline SVG, no scripts, no downloads) comparing policies: the cost/wait trade-off at a
/// glance, queue wait and runners over time, and the full table.
/// </summary>
public static class HtmlReport
{
    private const int MaxPoints = 400;

    public static string Render(SimulationReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var inv = CultureInfo.InvariantCulture;
        var html = new StringBuilder();
        html.Append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drover simulation — ").Append(Esc(report.Title)).Append("</title>");
        html.Append("<style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}")
            .Append("table{border-collapse:collapse;font-size:12px;width:100%}th,td{padding:4px 8px;border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child{text-align:left}")
            .Append("tr.best td{background:#eef7ee}tr.oracle td{color:#666;font-style:italic}.note{color:#555;font-size:13px}.lead{font-size:15px}</style></head><body>");
        html.Append("<h1>Drover capacity plan</h1><p class=\"lead\">").Append(Esc(report.Title)).Append("</p>");
        foreach (var note in report.Notes)
        {
            html.Append("<p class=\"note\">").Append(Esc(note)).Append("</p>");
        }

        var frontier = report.Frontier();
        var fast = frontier.Where(r => r.WaitP95Seconds <= 30).OrderBy(r => r.RunnerMinutes).FirstOrDefault();
        var cheapest = frontier.OrderBy(r => r.RunnerMinutes).ThenBy(r => r.WaitP95Seconds).FirstOrDefault();
        var best = fast ?? cheapest;
        if (fast is not null)
        {
            html.Append(inv, $"<p class=\"lead\">Cheapest with a p95 wait of 30 s or less: <b>{Esc(fast.Policy)}</b> — p95 {fast.WaitP95Seconds:0} s at {report.RatioToOracle(fast):0.000}× the oracle's runner-minutes (cost {fast.Cost:N2}).</p>");
        }

        if (cheapest is not null && !ReferenceEquals(cheapest, fast))
        {
            html.Append(inv, $"<p class=\"lead\">Cheapest overall: <b>{Esc(cheapest.Policy)}</b> — p95 {cheapest.WaitP95Seconds:0} s at {report.RatioToOracle(cheapest):0.000}× (cost {cheapest.Cost:N2}).</p>");
        }

        if (report.Knee() is { } knee)
        {
            html.Append(inv, $"<p class=\"lead\">Knee of the frontier: <b>{Esc(knee.Policy)}</b> — p95 {knee.WaitP95Seconds:0} s at {report.RatioToOracle(knee):0.000}×; past it, more runner-minutes buy little shorter waits.</p>");
        }

        html.Append("<h2>Cost against wait</h2><p class=\"note\">Each point is a policy; down and to the left is better. The oracle knows every arrival in advance: nothing ephemeral can use fewer runner-minutes.</p>");
        var charted = report.Results.Where(r => IsChartable(report, r)).ToList();
        var points = new List<(string, double, double, bool)> { ("oracle", report.Oracle.WaitP95Seconds, 1.0, false) };
        points.AddRange(charted.Select(r => (r.Policy, r.WaitP95Seconds, report.RatioToOracle(r), ReferenceEquals(r, best))));
        html.Append(SvgChart.Scatter(points, "p95 queue wait (s)", "runner-minutes ÷ oracle"));
        var offChart = report.Results.Except(charted).ToList();
        if (offChart.Count > 0)
        {
            html.Append("<p class=\"note\">Off the charts (p95 wait over 10 minutes, more than 3× the oracle, or jobs left unrun): ")
                .Append(Esc(string.Join(", ", offChart.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Policy} ({r.WaitP95Seconds:0} s, {report.RatioToOracle(r):0.00}×)")))))
                .Append(". Their figures are in the table.</p>");
        }

        var series = charted.Where(r => r.Series.Count > 0).ToList();
        if (series.Count > 0)
        {
            html.Append("<h2>Queue wait over time</h2><p class=\"note\">p95 wait of the jobs that started in each period.</p>");
            html.Append(SvgChart.Lines(series.Select(r => new SvgChart.Series(r.Policy, Downsample(r.Series, p => p.P95WaitSeconds, weighted: true), ReferenceEquals(r, best))).ToList(), "days", "p95 wait (s)"));
            html.Append("<h2>Runners over time</h2><p class=\"note\">Mean runners billed (booting, idle or busy) in each period.</p>");
            html.Append(SvgChart.Lines(series.Select(r => new SvgChart.Series(r.Policy, Downsample(r.Series, p => p.MeanRunners, weighted: false), ReferenceEquals(r, best))).ToList(), "days", "runners"));
        }

        html.Append("<h2>All figures</h2><div style=\"overflow-x:auto\"><table><tr><th>policy</th><th>jobs</th><th>p50 s</th><th>p95 s</th><th>p99 s</th><th>max s</th><th>runner-min</th><th>busy</th><th>idle</th><th>booting</th><th>× oracle</th><th>cost</th><th>spot int.</th><th>re-queued</th><th>peak</th></tr>");
        Row(html, report, report.Oracle, "oracle (bound)", "oracle");
        foreach (var r in report.Results)
        {
            Row(html, report, r, r.Policy, frontier.Contains(r) ? "best" : string.Empty);
        }

        html.Append("</table></div><p class=\"note\">Highlighted rows are the Pareto frontier: no other policy waits no longer at p95 for no more runner-minutes and is better on one.</p></body></html>");
        return html.ToString();
    }

    private static void Row(StringBuilder html, SimulationReport report, SimulationResult r, string name, string cssClass)
    {
        html.Append(CultureInfo.InvariantCulture, $"<tr class=\"{cssClass}\"><td>{Esc(name)}</td><td>{(SimulationReport.IsComplete(r) ? r.Jobs.ToString("N0", CultureInfo.InvariantCulture) : $"{r.JobsCompleted:N0} of {r.Jobs:N0} ran")}</td><td>{r.WaitP50Seconds:0.#}</td><td>{r.WaitP95Seconds:0.#}</td><td>{r.WaitP99Seconds:0.#}</td><td>{r.WaitMaxSeconds:0}</td>");
        html.Append(CultureInfo.InvariantCulture, $"<td>{r.RunnerMinutes:N0}</td><td>{r.BusyMinutes:N0}</td><td>{r.IdleMinutes:N0}</td><td>{r.BootingMinutes:N0}</td><td>{report.RatioToOracle(r):0.000}</td><td>{r.Cost:N2}</td><td>{r.SpotInterruptions}</td><td>{r.JobsRequeued}</td><td>{r.PeakRunners}</td></tr>");
    }

    /// <summary>Policies the charts show: the rest would flatten every other line and point into the axis.</summary>
    private static bool IsChartable(SimulationReport report, SimulationResult r) =>
        SimulationReport.IsComplete(r) && r.WaitP95Seconds <= 600 && report.RatioToOracle(r) <= 3;

    /// <summary>At most <see cref="MaxPoints"/> points: consecutive bins merged, waits weighted by the jobs that started.</summary>
    internal static IReadOnlyList<(double X, double Y)> Downsample(IReadOnlyList<TimeSeriesPoint> points, Func<TimeSeriesPoint, double> value, bool weighted)
    {
        var size = Math.Max(1, (int)Math.Ceiling(points.Count / (double)MaxPoints));
        var result = new List<(double, double)>();
        for (var i = 0; i < points.Count; i += size)
        {
            var chunk = points.Skip(i).Take(size).ToList();
            var weight = weighted ? chunk.Sum(p => p.Started) : chunk.Count;
            var y = weight == 0 ? 0 : chunk.Sum(p => value(p) * (weighted ? p.Started : 1)) / weight;
            result.Add((chunk[0].StartSeconds / 86_400, y));
        }

        return result;
    }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
