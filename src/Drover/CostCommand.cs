using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Cost;
using Drover.Core.Ports;
using Drover.Storage;

namespace Drover.Cli;

/// <summary><c>drover cost report</c>: the cost ledger of a state store summed by pool, team, scope or provider, as CSV or HTML.</summary>
internal static class CostCommand
{
    public static Command Create()
    {
        var store = new Option<string>("--store") { Description = "State store to read, which must exist: sqlite:PATH or postgres:CONNSTR", Required = true };
        var from = new Option<string?>("--from") { Description = "Start (inclusive), a date or instant such as 2026-12-01 or 2026-12-01T08:00:00Z; default: the start of this month (UTC)" };
        var to = new Option<string?>("--to") { Description = "End (exclusive); default: now" };
        var by = new Option<string>("--by") { Description = "Group by pool, team, scope or provider", DefaultValueFactory = _ => "pool" };
        var format = new Option<string>("--format") { Description = "csv or html (a page with a bar chart)", DefaultValueFactory = _ => "csv" };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var report = new Command("report", "Sum the cost ledger over a time range by pool, team, scope or provider: amount, currency and idle waste.") { store, from, to, by, format, output };
        report.SetAction(async (parse, ct) =>
        {
            var error = parse.InvocationConfiguration.Error;
            var now = TimeProvider.System.GetUtcNow();
            if (!CostReport.Dimensions.TryGetValue(parse.GetValue(by)!, out var dimension))
            {
                error.WriteLine($"--by: unknown value '{parse.GetValue(by)}'; one of: {string.Join(", ", CostReport.Dimensions.Keys)}");
                return 1;
            }

            var kind = parse.GetValue(format)!;
            if (kind is not ("csv" or "html"))
            {
                error.WriteLine($"--format: unknown value '{kind}'; one of: csv, html");
                return 1;
            }

            if (!Instant(parse.GetValue(from), "--from", new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), error, out var start)
                || !Instant(parse.GetValue(to), "--to", now, error, out var end))
            {
                return 1;
            }

            if (end <= start)
            {
                error.WriteLine($"--from ({start:O}) must be before --to ({end:O})");
                return 1;
            }

            IReadOnlyList<CostEntry> lines;
            try
            {
                await using var opened = await StateStoreFactory.OpenAsync(parse.GetValue(store)!, StoreOpenMode.ExistingWithSchema, ct);
                lines = await opened.ListCostAsync(start, end, ct);
            }
            catch (AdapterConfigurationException e)
            {
                error.WriteLine($"cost report: {e.Message}");
                return 2;
            }
            catch (StateStoreException e)
            {
                error.WriteLine($"cost report: {e.Message}");
                return 1;
            }

            var rows = CostReport.By(lines, dimension);
            var text = kind == "csv" ? Csv(rows, dimension) : Html(rows, dimension, start, end);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, text, ct);
                parse.InvocationConfiguration.Output.WriteLine($"cost report: wrote {file} ({rows.Count} row(s))");
            }
            else
            {
                parse.InvocationConfiguration.Output.Write(text);
            }

            return 0;
        });
        return new Command("cost", "Cost reports from the live cost ledger (see docs/cost.md).") { report };
    }

    /// <summary>One header line, then one line per row; amounts exact, shares to 4 places, runner time in hours.</summary>
    public static string Csv(IReadOnlyList<CostRow> rows, CostDimension by)
    {
        var csv = new StringBuilder();
        csv.Append(CultureInfo.InvariantCulture, $"{by.ToString().ToLowerInvariant()},currency,amount,idle_waste,idle_waste_share,runner_hours\n");
        foreach (var row in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{Field(row.Key)},{row.Currency},{decimal.Round(row.Amount, 6)},{decimal.Round(row.IdleWaste, 6)},{decimal.Round(row.IdleWasteShare, 4)},{row.RunnerSeconds / 3600:0.####}\n");
        }

        return csv.ToString();
    }

    /// <summary>A self-contained page: a bar per row (idle waste in its own colour) and the table.</summary>
    public static string Html(IReadOnlyList<CostRow> rows, CostDimension by, DateTimeOffset from, DateTimeOffset to)
    {
        var name = by.ToString().ToLowerInvariant();
        var max = rows.Count == 0 ? 1m : Math.Max(rows.Max(r => r.Amount), 0.000001m);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drover cost by {name}</title><style>body{{font:14px system-ui,sans-serif;margin:24px;color:#1d2330}}table{{border-collapse:collapse}}td,th{{padding:4px 10px;border-bottom:1px solid #eef0f3;text-align:left}}.num{{text-align:right;font-variant-numeric:tabular-nums}}</style></head><body>");
        html.Append(CultureInfo.InvariantCulture, $"<h1>Cost by {name}</h1><p>{from:yyyy-MM-dd HH:mm}Z to {to:yyyy-MM-dd HH:mm}Z, from the live cost ledger. Idle waste: what warm runners no job used cost.</p>");
        var height = (rows.Count * 26) + 10;
        html.Append(CultureInfo.InvariantCulture, $"<svg width=\"760\" height=\"{height}\" role=\"img\" aria-label=\"cost by {name}\">");
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            var width = (double)(row.Amount / max) * 500;
            var idle = (double)(row.IdleWaste / max) * 500;
            var y = 5 + (i * 26);
            html.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{y + 15}\">{WebUtility.HtmlEncode(row.Key)}</text><rect x=\"160\" y=\"{y}\" width=\"{width:0.#}\" height=\"20\" fill=\"#067647\"/><rect x=\"160\" y=\"{y}\" width=\"{idle:0.#}\" height=\"20\" fill=\"#f0b429\"/><text x=\"{170 + width:0.#}\" y=\"{y + 15}\">{row.Amount:0.00} {row.Currency}</text>");
        }

        html.Append("</svg><table><tr><th>").Append(name).Append("</th><th>currency</th><th class=\"num\">amount</th><th class=\"num\">idle waste</th><th class=\"num\">idle share</th><th class=\"num\">runner-hours</th></tr>");
        foreach (var row in rows)
        {
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{WebUtility.HtmlEncode(row.Key)}</td><td>{row.Currency}</td><td class=\"num\">{row.Amount:0.0000}</td><td class=\"num\">{row.IdleWaste:0.0000}</td><td class=\"num\">{row.IdleWasteShare:P1}</td><td class=\"num\">{row.RunnerSeconds / 3600:0.##}</td></tr>");
        }

        return html.Append("</table></body></html>\n").ToString();
    }

    private static string Field(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;

    private static bool Instant(string? text, string name, DateTimeOffset fallback, TextWriter error, out DateTimeOffset value)
    {
        value = fallback;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }

        error.WriteLine($"{name}: '{text}' is not a date or instant; write e.g. 2026-12-01 or 2026-12-01T08:00:00Z");
        return false;
    }
}
