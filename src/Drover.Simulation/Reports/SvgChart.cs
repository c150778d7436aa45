using System.Globalization;
using System.Net;
using System.Text;

namespace Drover.Simulation.Reports;

/// <summary>Small, dependency-free SVG charts: lines over time and a labelled scatter.</summary>
internal static class SvgChart
{
    private const int Width = 960;
    private const int Height = 320;
    private const int Left = 64;
    private const int Right = 180;
    private const int Top = 16;
    private const int Bottom = 40;

    /// <summary>A palette that stays readable for the common colour-vision deficiencies.</summary>
    public static readonly string[] Palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000", "#999999", "#882255", "#44aa99", "#117733", "#332288", "#aa4499"];

    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points, bool Emphasis = false);

    public static string Lines(IReadOnlyList<Series> series, string xLabel, string yLabel)
    {
        var all = series.SelectMany(s => s.Points).ToList();
        var (x0, x1) = Range(all.Select(p => p.X), 0);
        var (_, y1) = Range(all.Select(p => p.Y), 0);
        var svg = Begin();
        Axes(svg, x0, x1, 0, y1, xLabel, yLabel);
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var colour = Palette[i % Palette.Length];
            var path = string.Join(' ', s.Points.Select((p, k) => $"{(k == 0 ? 'M' : 'L')}{Fmt(X(p.X, x0, x1))},{Fmt(Y(p.Y, 0, y1))}"));
            svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{(s.Emphasis ? 2.5 : 1.2)}\" opacity=\"{(s.Emphasis ? 1 : 0.8)}\"><title>{Esc(s.Name)}</title></path>");
            Legend(svg, i, s.Name, colour, s.Emphasis);
        }

        return End(svg);
    }

    public static string Scatter(IReadOnlyList<(string Name, double X, double Y, bool Emphasis)> points, string xLabel, string yLabel)
    {
        var (x0, x1) = Range(points.Select(p => p.X), 0);
        var (y0, y1) = Range(points.Select(p => p.Y), null);
        var svg = Begin();
        Axes(svg, x0, x1, y0, y1, xLabel, yLabel);
        var labels = new List<(double X, double Y)>();
        for (var i = 0; i < points.Count; i++)
        {
            var p = points[i];
            var colour = Palette[i % Palette.Length];
            var cx = X(p.X, x0, x1);
            var cy = Y(p.Y, y0, y1);
            var ly = cy - 6;
            while (labels.Any(l => Math.Abs(l.X - cx) < 90 && Math.Abs(l.Y - ly) < 12))
            {
                ly += 12;
            }

            labels.Add((cx, ly));
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Fmt(cx)}\" cy=\"{Fmt(cy)}\" r=\"{(p.Emphasis ? 7 : 5)}\" fill=\"{colour}\" stroke=\"#222\" stroke-width=\"{(p.Emphasis ? 2 : 0.5)}\"><title>{Esc(p.Name)}: {Fmt(p.X)} s p95 wait, {Fmt(p.Y)}</title></circle>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt(cx + 8)}\" y=\"{Fmt(ly)}\" font-size=\"11\"{(p.Emphasis ? " font-weight=\"bold\"" : string.Empty)}>{Esc(p.Name)}</text>");
        }

        return End(svg);
    }

    /// <summary>
    /// A curve through labelled points in their given order (a sweep: one point per value), each point marked and named;
    /// emphasised points are drawn larger and in bold.
    /// </summary>
    public static string Curve(IReadOnlyList<(string Name, double X, double Y, bool Emphasis)> points, string xLabel, string yLabel)
    {
        var (x0, x1) = Range(points.Select(p => p.X), 0);
        var (_, y1) = Range(points.Select(p => p.Y), 0);
        var svg = Begin();
        Axes(svg, x0, x1, 0, y1, xLabel, yLabel);
        var path = string.Join(' ', points.Select((p, k) => $"{(k == 0 ? 'M' : 'L')}{Fmt(X(p.X, x0, x1))},{Fmt(Y(p.Y, 0, y1))}"));
        svg.Append(CultureInfo.InvariantCulture, $"<path d=\"{path}\" fill=\"none\" stroke=\"{Palette[0]}\" stroke-width=\"1.8\"/>");
        var labels = new List<(double X, double Y)>();
        foreach (var p in points)
        {
            var cx = X(p.X, x0, x1);
            var cy = Y(p.Y, 0, y1);
            var ly = cy - 8;
            while (labels.Any(l => Math.Abs(l.X - cx) < 60 && Math.Abs(l.Y - ly) < 12))
            {
                ly -= 12;
            }

            labels.Add((cx, ly));
            var colour = p.Emphasis ? Palette[5] : Palette[0];
            svg.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{Fmt(cx)}\" cy=\"{Fmt(cy)}\" r=\"{(p.Emphasis ? 6 : 4)}\" fill=\"{colour}\" stroke=\"#222\" stroke-width=\"{(p.Emphasis ? 1.5 : 0.5)}\"><title>{Esc(p.Name)}: {Fmt(p.X)} {Esc(xLabel)}, {Fmt(p.Y)} {Esc(yLabel)}</title></circle>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt(cx + 6)}\" y=\"{Fmt(ly)}\" font-size=\"11\"{(p.Emphasis ? " font-weight=\"bold\"" : string.Empty)}>{Esc(p.Name)}</text>");
        }

        return End(svg);
    }

    private static StringBuilder Begin() =>
        new StringBuilder().Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {Width} {Height}\" width=\"100%\" role=\"img\" font-family=\"system-ui, sans-serif\">");

    private static string End(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void Axes(StringBuilder svg, double x0, double x1, double y0, double y1, string xLabel, string yLabel)
    {
        var plotRight = Width - Right;
        var plotBottom = Height - Bottom;
        svg.Append(CultureInfo.InvariantCulture, $"<rect x=\"{Left}\" y=\"{Top}\" width=\"{plotRight - Left}\" height=\"{plotBottom - Top}\" fill=\"#fafafa\" stroke=\"#ccc\"/>");
        for (var i = 0; i <= 4; i++)
        {
            var yv = y0 + ((y1 - y0) * i / 4);
            var y = Y(yv, y0, y1);
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{plotRight}\" y1=\"{Fmt(y)}\" y2=\"{Fmt(y)}\" stroke=\"#e4e4e4\"/><text x=\"{Left - 6}\" y=\"{Fmt(y + 4)}\" font-size=\"11\" text-anchor=\"end\">{Tick(yv)}</text>");
            var xv = x0 + ((x1 - x0) * i / 4);
            var x = X(xv, x0, x1);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Fmt(x)}\" y=\"{plotBottom + 16}\" font-size=\"11\" text-anchor=\"middle\">{Tick(xv)}</text>");
        }

        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + plotRight) / 2}\" y=\"{Height - 6}\" font-size=\"12\" text-anchor=\"middle\">{Esc(xLabel)}</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + plotBottom) / 2}\" font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(Top + plotBottom) / 2})\">{Esc(yLabel)}</text>");
    }

    private static void Legend(StringBuilder svg, int index, string name, string colour, bool emphasis)
    {
        var y = Top + 8 + (index * 16);
        var x = Width - Right + 12;
        svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x + 18}\" y1=\"{y}\" y2=\"{y}\" stroke=\"{colour}\" stroke-width=\"{(emphasis ? 3 : 2)}\"/><text x=\"{x + 24}\" y=\"{y + 4}\" font-size=\"11\"{(emphasis ? " font-weight=\"bold\"" : string.Empty)}>{Esc(name)}</text>");
    }

    private static (double Min, double Max) Range(IEnumerable<double> values, double? floor)
    {
        var list = values.Where(double.IsFinite).ToList();
        if (list.Count == 0)
        {
            return (0, 1);
        }

        var min = floor ?? list.Min();
        var max = list.Max();
        if (floor is null)
        {
            var pad = (max - min) * 0.08;
            min -= pad;
            max += pad;
        }

        return max <= min ? (min, min + 1) : (min, max * (floor is null ? 1 : 1.05));
    }

    private static double X(double value, double min, double max) => Left + ((value - min) / (max - min) * (Width - Right - Left));

    private static double Y(double value, double min, double max) => Height - Bottom - ((value - min) / (max - min) * (Height - Bottom - Top));

    private static string Fmt(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    private static string Tick(double value) => Math.Abs(value) >= 10_000
        ? (value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + "k"
        : value.ToString(Math.Abs(value) >= 10 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Esc(string text) => WebUtility.HtmlEncode(text);
}
