using System.Text.Json;
using Drover.Storage.Migrations;
using Drover.Storage.Schema;
using Drover.Storage.Sql;

namespace Drover.Storage.Snapshot;

/// <summary>Writes every table as a <see cref="SnapshotFormat"/> document; run inside a snapshot transaction.</summary>
internal static class SnapshotExporter
{
    private static readonly byte[] _newLine = "\n"u8.ToArray();

    public static async Task ExportAsync(DbSession session, Stream destination)
    {
        var ct = session.CancellationToken;
        await using var json = new Utf8JsonWriter(destination);
        await WriteLineAsync(json, destination, w =>
        {
            w.WriteString("format", SnapshotFormat.Format);
            w.WriteNumber("formatVersion", SnapshotFormat.FormatVersion);
            w.WriteNumber("schemaVersion", StoreSchema.CurrentVersion);
        }, ct).ConfigureAwait(false);

        if (await Migrator.CurrentVersionAsync(session).ConfigureAwait(false) != StoreSchema.CurrentVersion)
        {
            throw new InvalidOperationException("the store's schema version differs from this code's");
        }

        long rows = 0;
        foreach (var table in StoreSchema.Tables)
        {
            foreach (var row in await session.QueryAsync(SqlText.SelectOrdered(table)).ConfigureAwait(false))
            {
                rows++;
                await WriteLineAsync(json, destination, w =>
                {
                    w.WriteString("table", table.Name);
                    w.WriteStartObject("row");
                    foreach (var column in table.Columns)
                    {
                        w.WritePropertyName(column.Name);
                        WriteValue(w, row.Normalised(column));
                    }

                    w.WriteEndObject();
                }, ct).ConfigureAwait(false);
            }
        }

        await WriteLineAsync(json, destination, w => w.WriteNumber("end", rows), ct).ConfigureAwait(false);
        await destination.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case long l:
                writer.WriteNumberValue(l);
                break;
            case double d:
                writer.WriteNumberValue(d);
                break;
            case byte[] b:
                writer.WriteBase64StringValue(b);
                break;
            default:
                throw new InvalidOperationException($"unexpected column value of type {value.GetType().Name}");
        }
    }

    private static async Task WriteLineAsync(Utf8JsonWriter json, Stream destination, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
        await json.FlushAsync(ct).ConfigureAwait(false);
        await destination.WriteAsync(_newLine, ct).ConfigureAwait(false);
        json.Reset();
    }
}
