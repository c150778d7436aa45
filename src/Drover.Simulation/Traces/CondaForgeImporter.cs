using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Imports conda-forge's GitHub Actions series (<c>bin_start_utc,completed_events_5min</c>): completed jobs
/// per 5-minute bin, without durations or labels. By default it reproduces the planning scenario exactly:
/// each bin's count becomes that many arrivals uniformly at random within the bin, durations lognormal
/// (median 300 s, sigma 1.0, capped at 6 h) drawn per job, seed 1, every job labelled <c>linux</c>.
/// </summary>
public static class CondaForgeImporter
{
    public const string BinStartColumn = "bin_start_utc";
    public const string CountColumn = "completed_events_5min";

    public static bool Matches(IReadOnlyList<string> header) =>
        header.Count == 2 && header[0] == BinStartColumn && header[1] == CountColumn;

    public static Trace Load(string path, TraceLoadOptions? options = null)
    {
        using var reader = new StreamReader(path);
        return Load(reader, path, options);
    }

    /// <exception cref="TraceFormatException">A row is malformed; nothing is returned.</exception>
    public static Trace Load(TextReader reader, string file, TraceLoadOptions? options = null)
    {
        options ??= new TraceLoadOptions();
        var series = RateSeriesReader.Read(reader, file, TimeSpan.FromMinutes(5), BinStartColumn, CountColumn);
        var counting = options.Placement == ArrivalPlacement.WithinBin
            ? "The series counts completed jobs per 5-minute bin, not arrivals; each completion is treated as an arrival within its bin, as the pinned planning scenario does."
            : "The series counts completed jobs per 5-minute bin, not arrivals; each completion is shifted back by its drawn duration to give the job's arrival (differs from the pinned planning scenario).";
        var settings = new RateSeriesExpansion
        {
            Seed = options.Seed,
            Durations = options.Durations,
            Placement = options.Placement,
            Labels = LabelSet.Create(options.DefaultLabels),
        };
        return RateSeriesExpander.Expand(
            series,
            settings,
            options.Name ?? Path.GetFileNameWithoutExtension(file),
            $"conda-forge GitHub Actions completions per 5 minutes ({file})",
            [counting]);
    }
}
