using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>Loads any supported trace file, recognising its format by the header row.</summary>
public static class TraceReader
{
    /// <summary>Loads a trace file of any supported format.</summary>
    /// <exception cref="TraceFormatException">The header is not recognised or a row is malformed.</exception>
    public static Trace Load(string path, TraceLoadOptions? options = null)
    {
        var format = DetectFormat(path);
        using var reader = new StreamReader(path);
        return Load(reader, path, format, options);
    }

    /// <summary>Loads a trace of a known format; <paramref name="file"/> names it in errors and notes.</summary>
    public static Trace Load(TextReader reader, string file, TraceFormat format, TraceLoadOptions? options = null)
    {
        options ??= new TraceLoadOptions();
        switch (format)
        {
            case TraceFormat.JobCsv:
                var trace = JobCsv.Read(reader, file);
                return options.Name is null ? trace : new Trace(options.Name, trace.Source, trace.Jobs, trace.Notes);
            case TraceFormat.RateSeries:
                var series = RateSeriesReader.Read(reader, file, options.BinWidth);
                var settings = new RateSeriesExpansion
                {
                    Seed = options.Seed,
                    Durations = options.Durations,
                    Placement = options.Placement,
                    Labels = LabelSet.Create(options.DefaultLabels),
                };
                return RateSeriesExpander.Expand(series, settings, options.Name ?? Path.GetFileNameWithoutExtension(file), $"rate series ({file})");
            case TraceFormat.CondaForge:
                return CondaForgeImporter.Load(reader, file, options);
            case TraceFormat.Treeherder:
                return TreeherderImporter.Load(reader, file, options);
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, "unknown trace format");
        }
    }

    /// <summary>The format of a trace file, from its first row that is neither blank nor a comment.</summary>
    /// <exception cref="TraceFormatException">The file is empty or its header is not recognised.</exception>
    public static TraceFormat DetectFormat(string path)
    {
        using var reader = new StreamReader(path);
        return DetectFormat(reader, path);
    }

    /// <inheritdoc cref="DetectFormat(string)"/>
    public static TraceFormat DetectFormat(TextReader reader, string file)
    {
        var rows = new CsvRowReader(reader, file);
        var header = rows.ReadHeader();
        if (JobCsv.Matches(header))
        {
            return TraceFormat.JobCsv;
        }

        if (CondaForgeImporter.Matches(header))
        {
            return TraceFormat.CondaForge;
        }

        if (TreeherderImporter.Matches(header))
        {
            return TraceFormat.Treeherder;
        }

        if (RateSeriesReader.Matches(header))
        {
            return TraceFormat.RateSeries;
        }

        throw rows.Error(
            null,
            $"unrecognised header '{string.Join(',', header)}': expected '{JobCsv.Header}', '{RateSeriesReader.BinStart},{RateSeriesReader.Count}', "
            + $"'{CondaForgeImporter.BinStartColumn},{CondaForgeImporter.CountColumn}' or a treeherder export with {TreeherderImporter.SubmitTs},{TreeherderImporter.StartTs},{TreeherderImporter.EndTs}");
    }
}
