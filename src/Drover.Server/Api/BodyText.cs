using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Drover.Server.Api;

/// <summary>
/// The one check every request body goes through before anything reads it (the API's JSON bodies and every forge's
/// webhooks): it must be valid UTF-8, and a JSON body's strings must not hold an escaped surrogate without its pair
/// (<c>"\ud800"</c>), which is well-formed JSON but no text. Either is answered 400 saying where, and nothing is stored.
/// Checking here, once, keeps such bytes from reaching a reader that would throw on them deep inside (a 500, or a
/// delivery that can never be interpreted).
/// </summary>
internal static class BodyText
{
    /// <summary>
    /// Null when <paramref name="body"/> is valid UTF-8 and, read as JSON, holds no unpaired surrogate escape; else
    /// the problem and where (byte offset, or line, column and field). A body that is not JSON at all is left to the
    /// caller's own JSON check.
    /// </summary>
    public static string? Problem(ReadOnlySpan<byte> body)
    {
        if (InvalidUtf8At(body) is { } offset)
        {
            var (line, column) = LineAndColumn(body, offset);
            return string.Create(CultureInfo.InvariantCulture, $"body: not valid UTF-8 at byte {offset + 1} (line {line}, column {column}); send UTF-8 text");
        }

        return UnpairedSurrogate(body);
    }

    /// <summary>The offset of the first byte that does not start a valid UTF-8 sequence; null when there is none.</summary>
    private static int? InvalidUtf8At(ReadOnlySpan<byte> body)
    {
        if (System.Text.Unicode.Utf8.IsValid(body))
        {
            return null;
        }

        var offset = 0;
        while (offset < body.Length)
        {
            if (Rune.DecodeFromUtf8(body[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return null;
    }

    /// <summary>The first string or property name whose escapes leave a surrogate unpaired, with its place; null when none.</summary>
    private static string? UnpairedSurrogate(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        string? field = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.PropertyName))
                {
                    continue;
                }

                if (reader.ValueIsEscaped)
                {
                    try
                    {
                        _ = reader.GetString();
                    }
                    catch (InvalidOperationException)
                    {
                        var (line, column) = LineAndColumn(body, (int)reader.TokenStartIndex);
                        var what = reader.TokenType == JsonTokenType.PropertyName ? "a field name" : field is null ? "a string" : $"field '{field}'";
                        return string.Create(CultureInfo.InvariantCulture, $"body: {what} at line {line}, column {column} holds an unpaired surrogate escape (\\uD800-\\uDFFF without its pair); send valid Unicode text");
                    }
                }

                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    field = reader.GetString();
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON (or not JSON from here on): the caller's JSON check says so with its own position.
        }

        return null;
    }

    /// <summary>1-based line and column (in bytes) of <paramref name="offset"/>.</summary>
    private static (int Line, int Column) LineAndColumn(ReadOnlySpan<byte> body, int offset)
    {
        var before = body[..Math.Min(offset, body.Length)];
        var line = before.Count((byte)'\n') + 1;
        var lastNewline = before.LastIndexOf((byte)'\n');
        return (line, offset - lastNewline);
    }
}
