namespace Drover.Simulation.Traces;

/// <summary>
/// Reads comma-separated rows one line at a time, with RFC 4180 quoting inside a line (a quoted field may
/// not span lines). Blank lines and lines starting with <c>#</c> are skipped; the comments met before the
/// header are kept. Every problem becomes a <see cref="TraceFormatException"/> at the current line.
/// </summary>
internal sealed class CsvRowReader
{
    private readonly TextReader _reader;
    private readonly List<ReadOnlyMemory<char>> _fields = [];
    private readonly List<string> _leadingComments = [];
    private string[] _header = [];
    private bool _headerRead;

    public CsvRowReader(TextReader reader, string file)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        File = file;
    }

    public string File { get; }

    /// <summary>1-based number of the line last read.</summary>
    public int LineNumber { get; private set; }

    /// <summary>Text of the comment lines before the header, without the leading <c>#</c> and blanks.</summary>
    public IReadOnlyList<string> LeadingComments => _leadingComments;

    /// <summary>Column names, trimmed, as the header gave them.</summary>
    public IReadOnlyList<string> Header => _header;

    public int FieldCount => _fields.Count;

    public ReadOnlySpan<char> this[int index] => _fields[index].Span;

    /// <summary>Reads the header row; throws when the file has none.</summary>
    public IReadOnlyList<string> ReadHeader()
    {
        if (!TryReadRow())
        {
            throw new TraceFormatException(File, 0, null, "the file is empty: expected a header row");
        }

        _header = new string[_fields.Count];
        for (var i = 0; i < _fields.Count; i++)
        {
            _header[i] = _fields[i].Span.Trim().ToString();
        }

        _headerRead = true;
        return _header;
    }

    /// <summary>Reads the next data row; false at the end of the file. Checks the field count against the header.</summary>
    public bool TryReadRow()
    {
        while (true)
        {
            var line = _reader.ReadLine();
            if (line is null)
            {
                return false;
            }

            LineNumber++;
            var trimmed = line.AsSpan().TrimStart();
            if (trimmed.IsEmpty)
            {
                continue;
            }

            if (trimmed[0] == '#')
            {
                if (!_headerRead)
                {
                    _leadingComments.Add(trimmed[1..].Trim().ToString());
                }

                continue;
            }

            Split(line);
            if (_headerRead && _fields.Count != _header.Length)
            {
                throw Error(null, $"expected {_header.Length} columns ({string.Join(',', _header)}), found {_fields.Count}");
            }

            return true;
        }
    }

    /// <summary>Index of a column in the header, or -1.</summary>
    public int IndexOf(string column) => Array.IndexOf(_header, column);

    /// <summary>Index of a column the format requires; throws at the header line when it is missing.</summary>
    public int Require(string column)
    {
        var index = IndexOf(column);
        return index >= 0 ? index : throw Error(null, $"missing column '{column}' in header '{string.Join(',', _header)}'");
    }

    public TraceFormatException Error(string? column, string problem) => new(File, LineNumber, column, problem);

    /// <summary>The error for a bad value in a column, quoting the value.</summary>
    public TraceFormatException ValueError(int columnIndex, string problem) =>
        Error(_header.Length > columnIndex ? _header[columnIndex] : $"#{columnIndex + 1}", $"'{this[columnIndex].ToString()}' {problem}");

    private void Split(string line)
    {
        _fields.Clear();
        var memory = line.AsMemory();
        var position = 0;
        while (true)
        {
            if (position < line.Length && line[position] == '"')
            {
                position = SplitQuoted(line, position);
            }
            else
            {
                var comma = line.IndexOf(',', position);
                var end = comma < 0 ? line.Length : comma;
                _fields.Add(memory[position..end]);
                position = end;
            }

            if (position >= line.Length)
            {
                return;
            }

            position++;
            if (position == line.Length)
            {
                _fields.Add(ReadOnlyMemory<char>.Empty);
                return;
            }
        }
    }

    private int SplitQuoted(string line, int openingQuote)
    {
        var builder = new System.Text.StringBuilder();
        var position = openingQuote + 1;
        while (true)
        {
            var quote = line.IndexOf('"', position);
            if (quote < 0)
            {
                throw Error(null, $"column {_fields.Count + 1}: quoted field is not closed on this line");
            }

            builder.Append(line, position, quote - position);
            if (quote + 1 < line.Length && line[quote + 1] == '"')
            {
                builder.Append('"');
                position = quote + 2;
                continue;
            }

            if (quote + 1 < line.Length && line[quote + 1] != ',')
            {
                throw Error(null, $"column {_fields.Count + 1}: unexpected text after a closing quote");
            }

            _fields.Add(builder.ToString().AsMemory());
            return quote + 1;
        }
    }
}
