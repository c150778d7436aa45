using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Drover.Core.Config;

/// <summary>
/// Turns YAML text into a tree of <see cref="ConfigNode"/>s that keep their line and column. Works on parser events so
/// that duplicate keys and bad aliases are reported instead of aborting. Supports anchors, aliases and <c>&lt;&lt;</c>
/// merge keys. A syntax error ends the read (the parser cannot resume) and is reported where it occurred.
/// </summary>
internal static partial class ConfigYamlReader
{
    private const int MaxDepth = 64;
    private const string MergeKey = "<<";

    public static ConfigNode? Read(string text, ConfigErrorCollector errors)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new ConfigLocation(1, 1), string.Empty, "the file is empty");
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, anchors, errors, 0);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var next))
            {
                errors.Add(At(next.Start), string.Empty, "only one YAML document is allowed per file");
            }

            return root;
        }
        catch (YamlException ex)
        {
            errors.Add(At(ex.Start), string.Empty, $"invalid YAML: {MarkPrefix().Replace(ex.Message, string.Empty)}");
            return null;
        }
    }

    private static ConfigNode ReadNode(IParser parser, Dictionary<string, ConfigNode> anchors, ConfigErrorCollector errors, int depth)
    {
        var current = parser.Current ?? throw new YamlException("unexpected end of the document");
        if (depth > MaxDepth)
        {
            throw new YamlException(current.Start, current.End, $"nesting deeper than {MaxDepth} levels");
        }

        switch (current)
        {
            case AnchorAlias alias:
            {
                parser.MoveNext();
                if (anchors.TryGetValue(alias.Value.Value, out var target))
                {
                    return target;
                }

                var missing = new ConfigScalar(string.Empty, true, Line(alias.Start), Column(alias.Start));
                errors.Add(missing, string.Empty, $"alias *{alias.Value.Value} refers to no anchor defined before it");
                return missing;
            }

            case Scalar scalar:
            {
                parser.MoveNext();
                var isPlain = scalar.Style == ScalarStyle.Plain && scalar.Tag.IsEmpty;
                return Remember(scalar, new ConfigScalar(scalar.Value, isPlain, Line(scalar.Start), Column(scalar.Start)), anchors);
            }

            case SequenceStart start:
            {
                parser.MoveNext();
                var items = new List<ConfigNode>();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    items.Add(ReadNode(parser, anchors, errors, depth + 1));
                }

                return Remember(start, new ConfigSequence(items, Line(start.Start), Column(start.Start)), anchors);
            }

            case MappingStart start:
            {
                parser.MoveNext();
                var entries = ReadEntries(parser, anchors, errors, depth);
                return Remember(start, new ConfigMapping(entries, Line(start.Start), Column(start.Start)), anchors);
            }

            default:
                throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
        }
    }

    private static List<ConfigMappingEntry> ReadEntries(IParser parser, Dictionary<string, ConfigNode> anchors, ConfigErrorCollector errors, int depth)
    {
        var entries = new List<ConfigMappingEntry>();
        var merged = new List<ConfigMapping>();
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, anchors, errors, depth + 1);
            var value = ReadNode(parser, anchors, errors, depth + 1);
            if (keyNode is not ConfigScalar key || key.IsNull)
            {
                errors.Add(keyNode, string.Empty, "keys must be plain strings");
                continue;
            }

            if (key.IsPlain && key.Value == MergeKey)
            {
                CollectMerge(value, merged, errors);
                continue;
            }

            var first = entries.Find(e => e.Key.Value == key.Value);
            if (first is not null)
            {
                errors.Add(key, string.Empty, $"duplicate key '{key.Value}' (first written at line {first.Key.Line})");
                continue;
            }

            entries.Add(new ConfigMappingEntry(key, value));
        }

        // Keys written in the mapping itself win over merged ones; among merged mappings the first wins.
        foreach (var source in merged)
        {
            foreach (var entry in source.Entries)
            {
                if (!entries.Exists(e => e.Key.Value == entry.Key.Value))
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

    private static ConfigNode Remember(NodeEvent nodeEvent, ConfigNode node, Dictionary<string, ConfigNode> anchors)
    {
        if (!nodeEvent.Anchor.IsEmpty)
        {
            anchors[nodeEvent.Anchor.Value] = node;
        }

        return node;
    }

    private static ConfigLocation At(Mark mark) => new(Line(mark), Column(mark));

    private static int Line(Mark mark) => (int)Math.Max(1, mark.Line);

    private static int Column(Mark mark) => (int)Math.Max(1, mark.Column);

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarkPrefix();
}
