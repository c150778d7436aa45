using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Drover.Testing.Fuzz;

/// <summary>
/// A small seeded input generator for fuzz slices: mutates real inputs (JSON-aware and byte-level) or makes random JSON,
/// leaning on what has broken parsers before — numbers that are strings or too large, lone surrogates, Unicode line
/// separators, invalid UTF-8, deep nesting, missing and duplicated keys, truncation. The same seed gives the same
/// inputs, so a failure is replayed with its seed and index (<see cref="FuzzFailure"/>).
/// </summary>
public sealed class Fuzzer
{
    /// <summary>Values substituted into JSON: wrong types, edge numbers, hostile strings.</summary>
    private static readonly string[] _hostileJson =
    [
        "null", "true", "false", "0", "-1", "1.5", "1e308", "-1e308", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
        "1e999", "0.0000000000000000000001", "[]", "{}", "[[[[[[[[]]]]]]]]", "\"\"", "\" \"", "\"12a\"", "\"NaN\"", "\"-0\"", "\"\\u0000\"",
        "\"\\ud800\"", "\"\\udfff\"", "\"a\\ud800b\"", "\"\\u2028\"", "\"\\u2029\"", "\"\\u0085\"", "\"\\ufeff\"", "\"\\ud83d\\ude00\"",
        "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "\"2021-13-45T99:99:99Z\"", "\"not a date\"", "\"../../etc/passwd\"",
        "\"<script>alert(1)</script>\"", "\"' OR 1=1 --\"", "\"%s%n%x\"", "\"${jndi:ldap://x}\"", "{\"id\":null}", "[null]", "[1,\"a\",{}]",
    ];

    /// <summary>Byte sequences that are not UTF-8 (or not well-formed UTF-8).</summary>
    private static readonly byte[][] _invalidUtf8 =
    [
        [0xFF], [0xFE], [0xC0, 0x80], [0xC3, 0x28], [0xE2, 0x28, 0xA1], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80], [0xF0, 0x9F, 0x98],
    ];

    private readonly Random _random;

    /// <summary>
    /// Raw JSON texts standing in the tree as placeholder strings until serialised: System.Text.Json cannot write a
    /// lone surrogate, so hostile values are spliced into the text afterwards.
    /// </summary>
    private readonly List<string> _spliced = [];

    /// <summary>A generator seeded with <paramref name="seed"/>.</summary>
    public Fuzzer(int seed)
    {
        Seed = seed;
        _random = new Random(seed);
    }

    /// <summary>The seed.</summary>
    public int Seed { get; }

    /// <summary>Inputs per target: <paramref name="ci"/> in CI and by default, <c>DROVER_FUZZ_INPUTS</c> when set (the long form).</summary>
    public static int Budget(int ci) =>
        int.TryParse(Environment.GetEnvironmentVariable("DROVER_FUZZ_INPUTS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : ci;

    /// <summary>
    /// A character-level mutation of a text input (YAML, CSV, ...): one to <paramref name="maxMutations"/> edits at
    /// random places, each inserting one of <paramref name="pieces"/> (what has broken such readers before), deleting a
    /// few characters, replacing one by a character below <paramref name="replaceBelow"/>, or inserting any UTF-16 code
    /// unit (lone surrogates included). Drawn from <paramref name="random"/>, so a seed replays the same inputs.
    /// </summary>
    public static string MutateText(string text, Random random, IReadOnlyList<string> pieces, int maxMutations, char replaceBelow)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(random);
        ArgumentNullException.ThrowIfNull(pieces);
        var builder = new StringBuilder(text);
        var count = random.Next(1, maxMutations + 1);
        for (var m = 0; m < count; m++)
        {
            var at = random.Next(builder.Length + 1);
            switch (random.Next(4))
            {
                case 0:
                    builder.Insert(at, pieces[random.Next(pieces.Count)]);
                    break;
                case 1 when at < builder.Length:
                    builder.Remove(at, Math.Min(random.Next(1, 4), builder.Length - at));
                    break;
                case 2 when at < builder.Length:
                    builder[at] = (char)random.Next(0, replaceBelow);
                    break;
                default:
                    builder.Insert(at, (char)random.Next(0, 0x10000));
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>One mutation of <paramref name="original"/>: JSON-aware when it parses (most of the time), else byte-level.</summary>
    public byte[] Mutate(byte[] original)
    {
        ArgumentNullException.ThrowIfNull(original);
        var roll = _random.Next(10);
        if (roll < 6 && TryParse(original) is { } node)
        {
            string text;
            _spliced.Clear();
            try
            {
                for (var i = 1 + _random.Next(3); i > 0; i--)
                {
                    node = MutateJson(node);
                }

                text = Splice(node.ToJsonString());
            }
            catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
            {
                // Nested past the serialiser's depth, or a fixture string it cannot write: mutate the bytes instead.
                return MutateBytes(original);
            }

            return _random.Next(4) == 0 ? Bytes(MutateText(text)) : Encoding.UTF8.GetBytes(text);
        }

        return roll < 8 ? MutateBytes(original) : Bytes(MutateText(Encoding.UTF8.GetString(original)));
    }

    /// <summary>A random JSON value (object most of the time), possibly deeply nested, possibly not valid JSON at all.</summary>
    public byte[] RandomJson(params string[] likelyKeys)
    {
        var text = RandomValue(likelyKeys, 0, objectLikely: true);
        return _random.Next(8) switch
        {
            0 => MutateBytes(Encoding.UTF8.GetBytes(text)),
            1 => Bytes(MutateText(text)),
            _ => Encoding.UTF8.GetBytes(text),
        };
    }

    /// <summary>A short random string of hostile characters (for names in paths, header values).</summary>
    public string RandomName()
    {
        var parts = new[] { "a", "linux", "-", "_", ".", "..", "%", "\u2028", "\u0085", "\ud800", "é", "😀", " ", "\0", "/", "?", "#", "\\", "'", "\"" };
        var builder = new StringBuilder();
        for (var i = _random.Next(1, 6); i > 0; i--)
        {
            builder.Append(parts[_random.Next(parts.Length)]);
        }

        return builder.ToString();
    }

    /// <summary>A number in [0, <paramref name="max"/>).</summary>
    public int Next(int max) => _random.Next(max);

    private JsonNode MutateJson(JsonNode root)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        if (containers.Count == 0)
        {
            return Raw(_hostileJson[_random.Next(_hostileJson.Length)]);
        }

        var target = containers[_random.Next(containers.Count)];
        if (target is JsonObject obj && obj.Count > 0)
        {
            var key = obj.ElementAt(_random.Next(obj.Count)).Key;
            switch (_random.Next(4))
            {
                case 0:
                    obj.Remove(key);
                    break;
                case 1:
                    obj[key] = Raw(_hostileJson[_random.Next(_hostileJson.Length)]);
                    break;
                case 2:
                    obj[key] = Nest(obj[key]?.DeepClone(), 1 + _random.Next(64));
                    break;
                default:
                    obj[key] = Raw(RandomValue([], 0, objectLikely: false));
                    break;
            }
        }
        else if (target is JsonArray array)
        {
            if (array.Count > 0 && _random.Next(2) == 0)
            {
                array[_random.Next(array.Count)] = Raw(_hostileJson[_random.Next(_hostileJson.Length)]);
            }
            else
            {
                array.Add(Raw(_hostileJson[_random.Next(_hostileJson.Length)]));
            }
        }

        return root;
    }

    private static void Collect(JsonNode? node, List<JsonNode> into)
    {
        if (node is JsonObject obj)
        {
            into.Add(obj);
            foreach (var (_, child) in obj)
            {
                Collect(child, into);
            }
        }
        else if (node is JsonArray array)
        {
            into.Add(array);
            foreach (var child in array)
            {
                Collect(child, into);
            }
        }
    }

    private static JsonNode Nest(JsonNode? inner, int depth)
    {
        var node = inner ?? JsonValue.Create(0);
        for (var i = 0; i < depth; i++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    /// <summary>Text-level mutations of (serialised) JSON: a hostile escape or raw character spliced in, a key duplicated, truncation.</summary>
    private string MutateText(string text)
    {
        if (text.Length == 0)
        {
            return "\ud800";
        }

        var at = _random.Next(text.Length);
        return _random.Next(5) switch
        {
            0 => text[..at],
            1 => text.Insert(at, new[] { "\\ud800", "\u2028", "\u0085", "\ud800", "\"", "\\", "{", "]", ",", "\0" }[_random.Next(10)]),
            2 => text.StartsWith('{') ? "{\"id\":1," + text[1..] : text + text,
            3 => text.Replace("\"", "'", StringComparison.Ordinal),
            _ => text.Insert(at, new string('[', 1 + _random.Next(2000))),
        };
    }

    private byte[] MutateBytes(byte[] original)
    {
        var bytes = new List<byte>(original);
        for (var i = 1 + _random.Next(4); i > 0; i--)
        {
            var at = bytes.Count == 0 ? 0 : _random.Next(bytes.Count);
            switch (_random.Next(5))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes.InsertRange(at, _invalidUtf8[_random.Next(_invalidUtf8.Length)]);
                    break;
                case 2 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + _random.Next(16)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes[at] = (byte)_random.Next(256);
                    break;
                default:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
            }
        }

        return [.. bytes];
    }

    private string RandomValue(string[] likelyKeys, int depth, bool objectLikely)
    {
        var roll = objectLikely ? 0 : _random.Next(6);
        if (depth > 4 || roll >= 3)
        {
            return _hostileJson[_random.Next(_hostileJson.Length)];
        }

        if (roll == 2)
        {
            var items = Enumerable.Range(0, _random.Next(4)).Select(_ => RandomValue(likelyKeys, depth + 1, objectLikely: false));
            return "[" + string.Join(",", items) + "]";
        }

        var keys = Enumerable.Range(0, _random.Next(5)).Select(_ => likelyKeys.Length > 0 && _random.Next(3) > 0
            ? likelyKeys[_random.Next(likelyKeys.Length)]
            : RandomName());
        return "{" + string.Join(",", keys.Select(k => Quote(k) + ":" + RandomValue(likelyKeys, depth + 1, objectLikely: false))) + "}";
    }

    private static JsonNode? TryParse(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A placeholder node for the raw JSON <paramref name="json"/>, spliced in by <see cref="Splice"/>.</summary>
    private JsonNode Raw(string json)
    {
        _spliced.Add(json);
        return JsonValue.Create($"__fuzz_{_spliced.Count - 1}__");
    }

    private string Splice(string text)
    {
        for (var i = _spliced.Count - 1; i >= 0; i--)
        {
            text = text.Replace($"\"__fuzz_{i}__\"", _spliced[i], StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>A JSON string literal of <paramref name="text"/>, every character outside printable ASCII escaped (so a lone surrogate stays one).</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                builder.Append('\\').Append(c);
            }
            else if (c is < ' ' or > '~')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    /// <summary>UTF-8 bytes of <paramref name="text"/>, lone surrogates written as their (ill-formed) three-byte form, not replaced.</summary>
    private static byte[] Bytes(string text)
    {
        var bytes = new List<byte>(text.Length);
        Span<byte> buffer = stackalloc byte[4];
        foreach (var rune in EnumerateLoosely(text))
        {
            if (rune is >= 0xD800 and <= 0xDFFF)
            {
                bytes.Add((byte)(0xE0 | (rune >> 12)));
                bytes.Add((byte)(0x80 | ((rune >> 6) & 0x3F)));
                bytes.Add((byte)(0x80 | (rune & 0x3F)));
            }
            else
            {
                var length = new Rune(rune).EncodeToUtf8(buffer);
                bytes.AddRange(buffer[..length].ToArray());
            }
        }

        return [.. bytes];
    }

    private static IEnumerable<int> EnumerateLoosely(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                yield return char.ConvertToUtf32(text[i], text[i + 1]);
                i++;
            }
            else
            {
                yield return text[i];
            }
        }
    }
}
