using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// Imports a Mozilla treeherder job export: <c>submit_ts</c> is the queue time, <c>start_ts</c> the start,
/// <c>end_ts − start_ts</c> the duration (all Unix seconds), <c>project</c> the scope. The label is
/// <c>platform</c> (e.g. <c>osx-10-7</c>), the machine type a runner pool would advertise; <c>os_name</c>
/// only adds a coarser label implied by the platform, so it is left out unless asked for.
/// </summary>
public static class TreeherderImporter
{
    public const string Project = "project";
    public const string SubmitTs = "submit_ts";
    public const string StartTs = "start_ts";
    public const string EndTs = "end_ts";
    public const string Platform = "platform";
    public const string OsName = "os_name";

    public static bool Matches(IReadOnlyList<string> header) =>
        header.Contains(SubmitTs, StringComparer.Ordinal)
        && header.Contains(StartTs, StringComparer.Ordinal)
        && header.Contains(EndTs, StringComparer.Ordinal);

    public static Trace Load(string path, TraceLoadOptions? options = null)
    {
        using var reader = new StreamReader(path);
        return Load(reader, path, options);
    }

    /// <exception cref="TraceFormatException">A row is malformed; nothing is returned.</exception>
    public static Trace Load(TextReader reader, string file, TraceLoadOptions? options = null)
    {
        options ??= new TraceLoadOptions();
        var rows = new CsvRowReader(reader, file);
        rows.ReadHeader();
        var submit = rows.Require(SubmitTs);
        var start = rows.Require(StartTs);
        var end = rows.Require(EndTs);
        var platform = rows.Require(Platform);
        var osName = options.TreeherderOsNameLabel ? rows.Require(OsName) : -1;
        var project = rows.IndexOf(Project);

        var interner = new LabelSetInterner();
        var jobs = new List<TraceJob>();
        var labels = new string[osName >= 0 ? 2 : 1];
        var first = long.MaxValue;
        var last = long.MinValue;
        while (rows.TryReadRow())
        {
            if (jobs.Count == TraceLimits.MaxJobs)
            {
                throw rows.Error(null, $"this row {TraceLimits.TooManyJobs(jobs.Count + 1L)}");
            }

            var queuedMs = ParseSeconds(rows, submit);
            var startedMs = ParseSeconds(rows, start);
            var endedMs = ParseSeconds(rows, end);
            (first, last) = (Math.Min(first, queuedMs), Math.Max(last, queuedMs));
            if (TraceLimits.CheckSpan(first, last) is { } span)
            {
                throw rows.ValueError(submit, span);
            }

            if (startedMs < queuedMs)
            {
                throw rows.ValueError(start, $"is before {SubmitTs}");
            }

            if (endedMs < startedMs)
            {
                throw rows.ValueError(end, $"is before {StartTs}");
            }

            if (TraceLimits.CheckDuration((endedMs - startedMs) / 1000.0) is { } duration)
            {
                throw rows.ValueError(end, $"minus {StartTs} {duration}");
            }

            if (rows[platform].Trim().IsEmpty)
            {
                throw rows.ValueError(platform, "is empty: every job needs a platform label");
            }

            labels[0] = rows[platform].ToString();
            if (osName >= 0)
            {
                labels[1] = rows[osName].ToString();
            }

            LabelSet set;
            try
            {
                set = interner.Intern(labels);
            }
            catch (ArgumentException e)
            {
                throw rows.ValueError(platform, $"is not a usable label: {e.Message}");
            }

            jobs.Add(new TraceJob(queuedMs, startedMs, (endedMs - startedMs) / 1000.0, set, project >= 0 ? interner.InternScope(rows[project]) : null));
        }

        var notes = new List<string>
        {
            "Queue times are real: start_ts - submit_ts on Mozilla's 2013 fleet; durations are end_ts - start_ts.",
            options.TreeherderOsNameLabel
                ? "Labels are platform and os_name; scope is the project."
                : "Labels are the platform (os_name is implied by it and left out); scope is the project.",
        };
        return new Trace(options.Name ?? Path.GetFileNameWithoutExtension(file), $"Mozilla treeherder job export ({file})", jobs, notes);
    }

    private static long ParseSeconds(CsvRowReader rows, int column)
    {
        if (!long.TryParse(rows[column].Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || seconds > 253_402_300_799)
        {
            throw rows.ValueError(column, "is not a Unix timestamp in whole seconds");
        }

        return TraceLimits.CheckTime(seconds * 1000) is { } problem ? throw rows.ValueError(column, problem) : seconds * 1000;
    }
}
