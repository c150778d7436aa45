using System.Globalization;
using System.Text;
using System.Text.Json;
using Drover.Core.Ports;
using Drover.Storage.Schema;
using Drover.Storage.Sql;

namespace Drover.Storage.Snapshot;

/// <summary>
/// Loads a <see cref="SnapshotFormat"/> document into the store inside one write transaction: any problem
/// (wrong format or version, unknown table or column, missing end line) throws and nothing is changed.
/// </summary>
internal static class SnapshotImporter
{
    public static async Task ImportAsync(DbSession session, SqlDialect dialect, Stream source, bool force)
    {
        var ct = session.CancellationToken;
        await RefuseNonEmptyAsync(session, force).ConfigureAwait(false);
        foreach (var table in StoreSchema.Tables.Reverse())
        {
            await session.ExecuteAsync($"DELETE FROM {table.Name}").ConfigureAwait(false);
        }

        using var reader = new StreamReader(source, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        var lineNumber = 0;
        long rows = 0;
        long? end = null;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            lineNumber++;
            if (end is not null)
            {
                throw Invalid(lineNumber, "content after the end line");
            }

            try
            {
                using var document = JsonDocument.Parse(line);
                var root = document.RootElement;
                if (lineNumber == 1)
                {
                    CheckHeader(root);
                }
                else if (root.TryGetProperty("end", out var endElement))
                {
                    end = endElement.GetInt64();
                }
                else
                {
                    await InsertRowAsync(session, root, lineNumber).ConfigureAwait(false);
                    rows++;
                }
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw Invalid(lineNumber, e.Message);
            }
        }

        if (end != rows)
        {
            throw new StateStoreException(end is null
                ? "the backup is incomplete: it has no end line"
                : $"the backup's end line says {end} rows but it holds {rows}");
        }

        foreach (var table in StoreSchema.Tables)
        {
            if (dialect.ResetIdentitySql(table) is { } sql)
            {
                await session.ExecuteAsync(sql).ConfigureAwait(false);
            }
        }
    }

    private static async Task RefuseNonEmptyAsync(DbSession session, bool force)
    {
        if (force)
        {
            return;
        }

        var occupied = new List<string>();
        foreach (var table in StoreSchema.Tables)
        {
            var count = await session.ScalarAsync<long>($"SELECT COUNT(*) FROM {table.Name}").ConfigureAwait(false);
            if (count > 0)
            {
                occupied.Add($"{table.Name}: {count}");
            }
        }

        if (occupied.Count > 0)
        {
            throw new StateStoreException(
                $"the store is not empty ({string.Join(", ", occupied)} rows); restoring would replace its content: use drover restore --force to do that");
        }
    }

    internal static void CheckHeader(JsonElement header)
    {
        if (!header.TryGetProperty("format", out var format) || format.GetString() != SnapshotFormat.Format)
        {
            throw new StateStoreException($"not a Drover backup: the first line must have \"format\": \"{SnapshotFormat.Format}\"");
        }

        var formatVersion = header.GetProperty("formatVersion").GetInt32();
        var schemaVersion = header.GetProperty("schemaVersion").GetInt32();
        if (formatVersion != SnapshotFormat.FormatVersion || schemaVersion < StoreSchema.OldestRestorableVersion || schemaVersion > StoreSchema.CurrentVersion)
        {
            throw new StateStoreException(
                $"backup format {formatVersion} / schema {schemaVersion} cannot be restored by this Drover " +
                $"(format {SnapshotFormat.FormatVersion} / schema {StoreSchema.OldestRestorableVersion} to {StoreSchema.CurrentVersion})");
        }
    }

    private static async Task InsertRowAsync(DbSession session, JsonElement line, int lineNumber)
    {
        var tableName = line.GetProperty("table").GetString() ?? throw Invalid(lineNumber, "table is null");
        var table = StoreSchema.Find(tableName) ?? throw Invalid(lineNumber, $"unknown table {tableName}");
        var row = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in line.GetProperty("row").EnumerateObject())
        {
            var column = table.Columns.FirstOrDefault(c => c.Name == property.Name)
                ?? throw Invalid(lineNumber, $"table {tableName} has no column {property.Name}");
            row[column.Name] = ReadValue(property.Value, column, lineNumber);
        }

        foreach (var column in table.Columns.Where(c => c.Default is not null && !row.ContainsKey(c.Name)))
        {
            // A backup made before the column existed: the row gets what the migration gave existing rows.
            row[column.Name] = column.Default;
        }

        var missing = table.Columns.FirstOrDefault(c => !c.Nullable && row.GetValueOrDefault(c.Name) is null);
        if (missing is not null)
        {
            throw Invalid(lineNumber, $"{tableName}.{missing.Name} is missing");
        }

        await session.ExecuteAsync(SqlText.Insert(table, withIdentity: true), DbSession.Parameters(table, row, withIdentity: true)).ConfigureAwait(false);
    }

    private static object? ReadValue(JsonElement value, ColumnSchema column, int lineNumber) =>
        value.ValueKind == JsonValueKind.Null
            ? null
            : column.Kind switch
            {
                ColumnKind.Text when value.ValueKind == JsonValueKind.String => value.GetString(),
                ColumnKind.Integer when value.ValueKind == JsonValueKind.Number => value.GetInt64(),
                ColumnKind.Real when value.ValueKind == JsonValueKind.Number => value.GetDouble(),
                ColumnKind.Blob when value.ValueKind == JsonValueKind.String => value.GetBytesFromBase64(),
                _ => throw Invalid(lineNumber, $"{column.Name} must be {column.Kind.ToString().ToLower(CultureInfo.InvariantCulture)}"),
            };

    private static StateStoreException Invalid(int lineNumber, string message) => new($"backup line {lineNumber}: {message}");
}
