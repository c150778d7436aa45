using System.Globalization;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Drover.Core.Config;

/// <summary>
/// Turns YAML text into a tree of <see cref="ConfigNode"/>s that keep their line and column. Works on parser events so
/// that duplicate keys and bad aliases are reported instead of aborting. Supports anchors, aliases and <c>&lt;&lt;</c>
/// merge keys. A syntax error ends the read (the parser cannot resume) and is reported where it occurred.
/// </summary>
/// <remarks>
/// Bounded (see <see cref="ConfigLimits"/>): the text's length, the nodes the document stands for with every alias
/// expanded, and the nesting depth counted through aliases; an alias is never walked, only its counted size added, so
/// a "billion laughs" file is refused in the time it takes to read it. Characters that YAML 1.1 readers take for line
/// breaks but editors do not (U+0085, U+2028, U+2029) are refused before parsing, at the line and column an editor
/// shows. Whatever else the YAML library throws on odd input becomes an error at the position it reached.
/// </remarks>
internal static partial class ConfigYamlReader
{
    private const string MergeKey = "<<";
    private const int MaxCharacterErrors = 20;

    public static ConfigNode? Read(string text, ConfigErrorCollector errors)
    {
        if (text.Length > ConfigLimits.MaxFileBytes)
        {
            errors.Add(new ConfigLocation(0, 0), string.Empty, $"the file holds {text.Length.ToString("N0", CultureInfo.InvariantCulture)} characters; a configuration file may hold at most {ConfigLimits.MaxFileBytes.ToString("N0", CultureInfo.InvariantCulture)}");
            return null;
        }

        if (!CheckLineSeparators(text, errors))
        {
            return null;
        }

        var scanner = new Scanner(new StringReader(text), skipComments: true);
        var parser = new Parser(scanner);
        var reading = new Reading(errors);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new ConfigLocation(1, 1), string.Empty, "the file is empty");
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, reading, 0, out _);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var next))
            {
                errors.Add(At(next.Start), string.Empty, "only one YAML document is allowed per file");
            }

            return root;
        }
        catch (YamlException) when (reading.Limit is { } limit)
        {
            errors.Add(At(limit.At), string.Empty, limit.Message);
            return null;
        }
        catch (YamlException ex)
        {
            errors.Add(At(ex.Start), string.Empty, $"invalid YAML: {MarkPrefix().Replace(ex.Message, string.Empty)}");
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // The YAML library's scanner fails this way on some malformed input instead of with a YamlException; the
            // scanner's position is where it stopped reading.
            errors.Add(At(scanner.CurrentPosition), string.Empty, "invalid YAML: the text here cannot be read (look for a broken escape, a stray control character or a lone surrogate)");
            return null;
        }
    }

    /// <summary>
    /// Refuses U+0085, U+2028 and U+2029: YAML 1.1 readers count them as line breaks, editors and YAML 1.2 do not, so
    /// positions after them would disagree with the editor (and the YAML library fails on some of them). Lines and
    /// columns here are counted as an editor does: only CR, LF and CR LF end a line.
    /// </summary>
    private static bool CheckLineSeparators(string text, ConfigErrorCollector errors)
    {
        var found = 0;
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
                continue;
            }

            var name = c switch
            {
                '\u0085' => "U+0085 (NEXT LINE)",
                '\u2028' => "U+2028 (LINE SEPARATOR)",
                '\u2029' => "U+2029 (PARAGRAPH SEPARATOR)",
                _ => null,
            };
            if (name is null)
            {
                continue;
            }

            if (++found <= MaxCharacterErrors)
            {
                var escape = c == '\u0085' ? "\\N" : c == '\u2028' ? "\\L" : "\\P";
                errors.Add(
                    new ConfigLocation(line, i - lineStart + 1),
                    string.Empty,
                    $"the character {name} is not allowed: YAML readers disagree on whether it ends a line; remove it, or write {escape} inside a double-quoted string if the value needs it");
            }
        }

        return found == 0;
    }

    /// <summary>Reads one node. <paramref name="height"/> is its nesting below itself (0 for a scalar), aliases included.</summary>
    private static ConfigNode ReadNode(IParser parser, Reading reading, int depth, out int height)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the document");
        if (depth > ConfigLimits.MaxDepth)
        {
            throw reading.Refuse(current.Start, $"nesting deeper than {ConfigLimits.MaxDepth} levels");
        }

        var before = reading.Nodes;
        height = 0;
        switch (current)
        {
            case AnchorAlias alias:
            {
                parser.MoveNext();
                if (reading.Anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    if (depth + target.Height > ConfigLimits.MaxDepth)
                    {
                        throw reading.Refuse(alias.Start, $"alias *{alias.Value.Value} nests the document deeper than {ConfigLimits.MaxDepth} levels");
                    }

                    reading.Count(target.Size, alias.Start, alias.Value.Value);
                    height = target.Height;
                    return target.Node;
                }

                var missing = new ConfigScalar(string.Empty, true, Line(alias.Start), Column(alias.Start));
                reading.Errors.Add(missing, string.Empty, $"alias *{alias.Value.Value} refers to no anchor defined before it");
                return missing;
            }

            case Scalar scalar:
            {
                parser.MoveNext();
                reading.Count(1, scalar.Start, null);
                var isPlain = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty;
                return reading.Remember(scalar, new ConfigScalar(scalar.Value, isPlain, Line(scalar.Start), Column(scalar.Start)), before, 0);
            }

            case SequenceStart start:
            {
                parser.MoveNext();
                reading.Count(1, start.Start, null);
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, reading, depth + 1, out var itemHeight));
                    height = Math.Max(height, itemHeight + 1);
                }

                return reading.Remember(start, new ConfigSequence(items, Line(start.Start), Column(start.Start)), before, height);
            }

            case MappingStart start:
            {
                parser.MoveNext();
                reading.Count(1, start.Start, null);
                var entries = ReadEntries(parser, reading, depth, out height);
                return reading.Remember(start, new ConfigMapping(entries, Line(start.Start), Column(start.Start)), before, height);
            }

            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private static List<ConfigMappingEntry> ReadEntries(IParser parser, Reading reading, int depth, out int height)
    {
        height = 0;
        var entries = new List<ConfigMappingEntry>();
        var keys = new Dictionary<string, ConfigScalar>(StringComparer.Ordinal);
        var merged = new List<ConfigMapping>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, reading, depth + 1, out var keyHeight);
            var value = ReadNode(parser, reading, depth + 1, out var valueHeight);
            height = Math.Max(height, Math.Max(keyHeight, valueHeight) + 1);
            if (keyNode is not ConfigScalar key || key.IsNull)
            {
                reading.Errors.Add(keyNode, string.Empty, "keys must be plain strings");
                continue;
            }

            if (key.IsPlain && key.Value == MergeKey)
            {
                CollectMerge(value, merged, reading.Errors);
                continue;
            }

            if (!keys.TryAdd(key.Value, key))
            {
                reading.Errors.Add(key, string.Empty, $"duplicate key '{key.Value}' (first written at line {keys[key.Value].Line})");
                continue;
            }

            entries.Add(new ConfigMappingEntry(key, value));
        }

        // Keys written in the mapping itself win over merged ones; among merged mappings the first wins.
        foreach (var source in merged)
        {
            foreach (var entry in source.Entries)
            {
                if (keys.TryAdd(entry.Key.Value, entry.Key))
                {
                    entries.Add(entry);
                }
            }
        }

        return entries;
    }

    private static void CollectMerge(ConfigNode value, List<ConfigMapping> merged, ConfigErrorCollector errors)
    {
        switch (value)
        {
            case ConfigMapping mapping:
                merged.Add(mapping);
                break;
            case ConfigSequence sequence when sequence.Items.All(i => i is ConfigMapping):
                merged.AddRange(sequence.Items.Cast<ConfigMapping>());
                break;
            default:
                errors.Add(value, string.Empty, "'<<' merges a mapping or a list of mappings");
                break;
        }
    }

    private static ConfigLocation At(Mark mark) => new(Line(mark), Column(mark));

    private static int Line(Mark mark) => (int)Math.Clamp(mark.Line, 1, int.MaxValue);

    private static int Column(Mark mark) => (int)Math.Clamp(mark.Column, 1, int.MaxValue);

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();

    /// <summary>What one read has seen: the anchors (with the size and height each stands for) and the node count.</summary>
    private sealed class Reading(ConfigErrorCollector errors)
    {
        public ConfigErrorCollector Errors { get; } = errors;

        public Dictionary<string, Anchor> Anchors { get; } = new(StringComparer.Ordinal);

        /// <summary>Nodes the document stands for so far, each alias counted as the nodes of its anchor.</summary>
        public long Nodes { get; private set; }

        public void Count(long nodes, Mark at, string? alias)
        {
            Nodes += nodes;
            if (Nodes > ConfigLimits.MaxNodes)
            {
                var limit = ConfigLimits.MaxNodes.ToString("N0", CultureInfo.InvariantCulture);
                throw Refuse(at, alias is null
                    ? $"the document has more than {limit} nodes, the most a configuration file may hold"
                    : $"alias *{alias} expands the document to more than {limit} nodes, the most a configuration file may hold (aliases nested in aliases multiply)");
            }
        }

        /// <summary>The limit that ended the read, if one did.</summary>
        public LimitReached? Limit { get; private set; }

        /// <summary>Records the limit reached and returns the exception that ends the read.</summary>
        public YamlException Refuse(Mark at, string message)
        {
            Limit = new LimitReached(at, message);
            return new YamlException(at, at, message);
        }

        public ConfigNode Remember(NodeEvent nodeEvent, ConfigNode node, long nodesBefore, int height)
        {
            if (!nodeEvent.Anchor.IsEmpty)
            {
                Anchors[nodeEvent.Anchor.Value] = new Anchor(node, Nodes - nodesBefore, height);
            }

            return node;
        }
    }

    private readonly record struct Anchor(ConfigNode Node, long Size, int Height);

    /// <summary>A limit of <see cref="ConfigLimits"/> reached at <see cref="At"/>; the read ends there.</summary>
    private sealed record LimitReached(Mark At, string Message);
}
