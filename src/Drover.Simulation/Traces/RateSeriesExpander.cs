using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Expands a rate series into jobs. Bins are visited in order; for each counted job the one seeded
/// <see cref="Random"/> first draws the position within the bin (<see cref="Random.NextDouble"/>, to the
/// millisecond), then the duration. So a seed fixes the whole trace.
/// </summary>
public static class RateSeriesExpander
{
    public static Trace Expand(RateSeries series, RateSeriesExpansion settings, string name, string source, IEnumerable<string>? notes = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        ArgumentNullException.ThrowIfNull(settings);
        var random = new Random(settings.Seed);
        var total = series.TotalCount;
        if (total > TraceLimits.MaxJobs)
        {
            throw new ArgumentException($"the series {TraceLimits.TooManyJobs(total)}", nameof(series));
        }

        var jobs = new TraceJob[total];
        var widthMs = (long)series.BinWidth.TotalMilliseconds;
        var shift = settings.Placement == ArrivalPlacement.ShiftBackByDuration;
        var next = 0;
        foreach (var bin in series.Bins)
        {
            var first = next;
            for (var i = 0; i < bin.Count; i++)
            {
                var at = bin.StartUnixMs + (long)(random.NextDouble() * widthMs);
                var duration = settings.Durations.Sample(random);
                if (TraceLimits.CheckDuration(duration) is { } problem)
                {
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"a drawn duration of {duration:0.###} s {problem}; cap the distribution (--duration-cap)"), nameof(settings));
                }
                if (shift)
                {
                    at -= (long)Math.Round(duration * 1000.0);
                }

                jobs[next++] = new TraceJob(at, null, duration, settings.Labels, settings.Scope);
            }

            if (!shift)
            {
                jobs.AsSpan(first, bin.Count).Sort(static (a, b) => a.QueuedAtUnixMs.CompareTo(b.QueuedAtUnixMs));
            }
        }

        var allNotes = new List<string>(notes ?? []);
        allNotes.Add(settings.Placement == ArrivalPlacement.WithinBin
            ? "Each bin's count became that many arrivals spread uniformly at random within the bin."
            : "Each counted completion was placed uniformly at random within its bin and its job arrives its drawn duration earlier.");
        allNotes.Add($"Durations are synthetic: {settings.Durations.Description}, drawn independently per job (seed {settings.Seed.ToString(CultureInfo.InvariantCulture)}).");
        allNotes.Add($"Labels are synthetic: every job asks for '{settings.Labels.Text}'.");
        allNotes.Add("Start times are unknown: the source has no queue times.");
        foreach (var gap in series.Gaps)
        {
            allNotes.Add(string.Create(
                CultureInfo.InvariantCulture,
                $"The series has no rows from {TraceValues.FormatInstant(gap.From)} to {TraceValues.FormatInstant(gap.To)} ({gap.MissingBins} bins): no completions were placed there."));
        }

        if (series.ZeroBins > 0)
        {
            allNotes.Add(string.Create(CultureInfo.InvariantCulture, $"{series.ZeroBins:N0} of {series.Bins.Count:N0} bins count zero jobs (possibly monitor downtime); they stay empty."));
        }

        return new Trace(name, source, jobs, allNotes);
    }
}
