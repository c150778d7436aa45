using System.Diagnostics;
using System.Globalization;

namespace Drover.Cli;

/// <summary>A one-line progress bar on a terminal for several runs going on at once; redrawn at most five times a second.</summary>
internal sealed class ProgressBar(TextWriter writer, int runs) : IDisposable
{
    private const int Width = 40;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, double> _done = new(StringComparer.Ordinal);
    private long _lastDraw;

    public void Report(string run, double fraction)
    {
        lock (_gate)
        {
            _done[run] = fraction;
            var now = Stopwatch.GetTimestamp();
            if (Stopwatch.GetElapsedTime(_lastDraw, now) < TimeSpan.FromMilliseconds(200))
            {
                return;
            }

            _lastDraw = now;
            var total = _done.Values.Sum() / Math.Max(1, runs);
            var filled = (int)Math.Round(total * Width);
            var running = string.Join(", ", _done.Where(d => d.Value < 1).Select(d => d.Key).Take(3));
            writer.Write(string.Create(CultureInfo.InvariantCulture, $"\r[{new string('#', filled)}{new string('.', Width - filled)}] {total * 100,3:0}%  {running}").PadRight(110));
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            writer.Write("\r" + new string(' ', 110) + "\r");
        }
    }
}
