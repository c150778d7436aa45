using System.Buffers.Binary;
using System.Text;

namespace Drover.Testing.Otlp;

/// <summary>
/// A minimal protobuf wire-format reader: the fields of one message, for decoding the OTLP requests the receiver gets
/// without generated types (no OTLP .proto package is available here).
/// </summary>
public static class ProtoFields
{
    /// <summary>One field: its number, wire type and value (varint or fixed as a number, length-delimited as bytes).</summary>
    public readonly record struct Field(int Number, int WireType, ulong Number64, ReadOnlyMemory<byte> Bytes)
    {
        public string Text => Encoding.UTF8.GetString(Bytes.Span);

        public string Hex => Convert.ToHexStringLower(Bytes.Span);
    }

    /// <summary>The fields of <paramref name="message"/>, in order.</summary>
    /// <exception cref="FormatException">The bytes are not a protobuf message.</exception>
    public static List<Field> Read(ReadOnlyMemory<byte> message)
    {
        var fields = new List<Field>();
        var at = 0;
        var span = message.Span;
        while (at < span.Length)
        {
            var key = Varint(span, ref at);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    fields.Add(new Field(number, wire, Varint(span, ref at), default));
                    break;
                case 1:
                    Need(span, at, 8);
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt64LittleEndian(span[at..]), default));
                    at += 8;
                    break;
                case 2:
                    var length = checked((int)Varint(span, ref at));
                    Need(span, at, length);
                    fields.Add(new Field(number, wire, 0, message.Slice(at, length)));
                    at += length;
                    break;
                case 5:
                    Need(span, at, 4);
                    fields.Add(new Field(number, wire, BinaryPrimitives.ReadUInt32LittleEndian(span[at..]), default));
                    at += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wire} at byte {at}");
            }
        }

        return fields;
    }

    private static ulong Varint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            Need(span, at, 1);
            var b = span[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return value;
            }
        }

        throw new FormatException("varint longer than 10 bytes");
    }

    private static void Need(ReadOnlySpan<byte> span, int at, int count)
    {
        if (at + count > span.Length)
        {
            throw new FormatException($"message ends at byte {span.Length}, {count} more needed at {at}");
        }
    }
}
