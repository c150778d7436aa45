namespace Drover.Simulation.Traces;

/// <summary>
/// A trace file that cannot be read, pinned to its file, line and (when one is to blame) column:
/// <c>jobs.csv:12: column 'duration_s': 'abc' is not a number</c>. Readers throw it for the first bad row
/// and return nothing from the file.
/// </summary>
public sealed class TraceFormatException : FormatException
{
    public TraceFormatException(string file, int line, string? column, string problem)
        : base(Format(file, line, column, problem))
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public TraceFormatException()
        : this("<unknown>", 0, null, "malformed trace")
    {
    }

    public TraceFormatException(string message)
        : this("<unknown>", 0, null, message)
    {
    }

    public TraceFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "<unknown>";
        Problem = message;
    }

    /// <summary>The file as it was named to the reader.</summary>
    public string File { get; }

    /// <summary>1-based line number; 0 when the problem is the file as a whole.</summary>
    public int Line { get; }

    /// <summary>Name of the offending column from the header, or null when the row as a whole is wrong.</summary>
    public string? Column { get; }

    /// <summary>The message without the location.</summary>
    public string Problem { get; }

    private static string Format(string file, int line, string? column, string problem)
    {
        var location = line > 0 ? $"{file}:{line}" : file;
        return column is null ? $"{location}: {problem}" : $"{location}: column '{column}': {problem}";
    }
}
