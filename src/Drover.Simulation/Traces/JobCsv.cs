using System.Globalization;
using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// The job-level trace format: a header <c>queued_at,started_at,duration_s,labels,scope</c> and one row per job.
/// <c>started_at</c> and <c>scope</c> may be empty or left out of the header; labels are separated by <c>;</c>; an
/// optional <c>ref_kind</c> column says what the job's ref was (<c>default-branch</c>, <c>tag</c>, <c>pull-request</c>,
/// <c>branch</c>, or empty when unknown) for priority classes, written only when some job has one;
/// timestamps are ISO-8601 (UTC when no offset is given) or Unix seconds. Comment lines before the header
/// carry the trace's metadata: <c># name: …</c>, <c># source: …</c>, <c># note: …</c> (one per note).
/// </summary>
public static class JobCsv
{
    public const string QueuedAt = "queued_at";
    public const string StartedAt = "started_at";
    public const string Duration = "duration_s";
    public const string Labels = "labels";
    public const string Scope = "scope";
    public const string RefKind = "ref_kind";

    /// <summary>The header the writer emits.</summary>
    public const string Header = "queued_at,started_at,duration_s,labels,scope";

    private static readonly string[] _knownColumns = [QueuedAt, StartedAt, Duration, Labels, Scope, RefKind];

    private static readonly Dictionary<string, Core.Demand.JobRefKind> _refKinds = new(StringComparer.Ordinal)
    {
        ["default-branch"] = Core.Demand.JobRefKind.DefaultBranch,
        ["tag"] = Core.Demand.JobRefKind.Tag,
        ["pull-request"] = Core.Demand.JobRefKind.PullRequest,
        ["branch"] = Core.Demand.JobRefKind.Branch,
    };

    /// <summary>True when a header row names this format (it has a <c>queued_at</c> column).</summary>
    public static bool Matches(IReadOnlyList<string> header) => header.Contains(QueuedAt, StringComparer.Ordinal);

    /// <summary>Reads a job CSV file.</summary>
    /// <exception cref="TraceFormatException">A row is malformed; nothing of the file is returned.</exception>
    public static Trace Read(string path)
    {
        using var reader = new StreamReader(path);
        return Read(reader, path);
    }

    /// <summary>Reads a job CSV; <paramref name="file"/> names it in errors and in the trace's source.</summary>
    /// <exception cref="TraceFormatException">A row is malformed; nothing of the file is returned.</exception>
    public static Trace Read(TextReader reader, string file)
    {
        var rows = new CsvRowReader(reader, file);
        var header = rows.ReadHeader();
        foreach (var column in header)
        {
            if (!_knownColumns.Contains(column, StringComparer.Ordinal))
            {
                throw rows.Error(null, $"unknown column '{column}' (expected {Header}, optionally {RefKind})");
            }
        }

        if (header.Distinct(StringComparer.Ordinal).Count() != header.Count)
        {
            throw rows.Error(null, "a column is named twice in the header");
        }

        var queuedColumn = rows.Require(QueuedAt);
        var durationColumn = rows.Require(Duration);
        var labelsColumn = rows.Require(Labels);
        var startedColumn = rows.IndexOf(StartedAt);
        var scopeColumn = rows.IndexOf(Scope);
        var refKindColumn = rows.IndexOf(RefKind);

        var interner = new LabelSetInterner();
        var jobs = new List<TraceJob>();
        var first = long.MaxValue;
        var last = long.MinValue;
        while (rows.TryReadRow())
        {
            if (jobs.Count == TraceLimits.MaxJobs)
            {
                throw rows.Error(null, $"this row {TraceLimits.TooManyJobs(jobs.Count + 1L)}");
            }

            var queued = TraceValues.ParseTimestamp(rows, queuedColumn);
            (first, last) = (Math.Min(first, queued), Math.Max(last, queued));
            if (TraceLimits.CheckSpan(first, last) is { } span)
            {
                throw rows.ValueError(queuedColumn, span);
            }

            long? started = null;
            if (startedColumn >= 0 && !rows[startedColumn].Trim().IsEmpty)
            {
                started = TraceValues.ParseTimestamp(rows, startedColumn);
                if (started < queued)
                {
                    throw rows.ValueError(startedColumn, $"is before {QueuedAt}");
                }
            }

            var duration = TraceValues.ParseSeconds(rows, durationColumn);
            LabelSet labels;
            try
            {
                labels = interner.Intern(rows[labelsColumn]);
            }
            catch (ArgumentException e)
            {
                throw rows.ValueError(labelsColumn, $"is not a label list: {e.Message}");
            }

            var scope = scopeColumn >= 0 ? interner.InternScope(rows[scopeColumn]) : null;
            Core.Demand.JobRefKind? refKind = null;
            if (refKindColumn >= 0 && rows[refKindColumn].Trim() is { IsEmpty: false } kindText)
            {
                refKind = _refKinds.TryGetValue(kindText.ToString(), out var kind)
                    ? kind
                    : throw rows.ValueError(refKindColumn, $"is not a ref kind (expected {string.Join(", ", _refKinds.Keys)}, or empty when unknown)");
            }

            jobs.Add(new TraceJob(queued, started, duration, labels, scope) { RefKind = refKind });
        }

        string? name = null;
        string? source = null;
        var notes = new List<string>();
        foreach (var comment in rows.LeadingComments)
        {
            if (TryMeta(comment, "name", out var value))
            {
                name = value;
            }
            else if (TryMeta(comment, "source", out value))
            {
                source = value;
            }
            else if (TryMeta(comment, "note", out value))
            {
                notes.Add(value);
            }
        }

        return new Trace(
            string.IsNullOrWhiteSpace(name) ? Path.GetFileNameWithoutExtension(file) : name,
            source ?? $"job CSV {file}",
            jobs,
            notes);
    }

    /// <summary>Writes a trace as a job CSV file, metadata first.</summary>
    public static void Write(Trace trace, string path)
    {
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(trace, writer);
    }

    /// <summary>Writes a trace as a job CSV: metadata comments, the header, one row per job in queue order.</summary>
    public static void Write(Trace trace, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(trace);
        ArgumentNullException.ThrowIfNull(writer);
        writer.NewLine = "\n";
        writer.WriteLine($"# name: {OneLine(trace.Name)}");
        writer.WriteLine($"# source: {OneLine(trace.Source)}");
        foreach (var note in trace.Notes)
        {
            writer.WriteLine($"# note: {OneLine(note)}");
        }

        var withRefKinds = false;
        foreach (ref readonly var job in trace.JobSpan)
        {
            if (job.RefKind is not null)
            {
                withRefKinds = true;
                break;
            }
        }

        writer.WriteLine(withRefKinds ? $"{Header},{RefKind}" : Header);
        Span<char> buffer = stackalloc char[64];
        foreach (ref readonly var job in trace.JobSpan)
        {
            TraceValues.TryFormatTimestamp(job.QueuedAtUnixMs, buffer, out var written);
            writer.Write(buffer[..written]);
            writer.Write(',');
            if (job.StartedAtUnixMs is { } started)
            {
                TraceValues.TryFormatTimestamp(started, buffer, out written);
                writer.Write(buffer[..written]);
            }

            writer.Write(',');
            job.DurationSeconds.TryFormat(buffer, out written, "R", CultureInfo.InvariantCulture);
            writer.Write(buffer[..written]);
            writer.Write(',');
            writer.Write(job.Labels.Text);
            writer.Write(',');
            if (job.Scope is { } scope)
            {
                writer.Write(Quote(scope));
            }

            if (withRefKinds)
            {
                writer.Write(',');
                writer.Write(job.RefKind is { } kind ? _refKinds.First(k => k.Value == kind).Key : string.Empty);
            }

            writer.WriteLine();
        }
    }

    private static bool TryMeta(string comment, string key, out string value)
    {
        value = string.Empty;
        if (!comment.StartsWith(key, StringComparison.OrdinalIgnoreCase) || comment.Length <= key.Length || comment[key.Length] != ':')
        {
            return false;
        }

        value = comment[(key.Length + 1)..].Trim();
        return true;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 && field.Trim().Length == field.Length
            ? field
            : "\"" + field.ReplaceLineEndings(" ").Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
