using System.Globalization;
using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>
/// Typed access to one result row by column name. Smooths over the providers' differences
/// (SQLite returns every integer as <see cref="long"/>, PostgreSQL returns what the column declares).
/// </summary>
internal readonly struct RowReader(IDictionary<string, object?> values)
{
    public object? this[string column] => values.TryGetValue(column, out var v) && v is not DBNull ? v : null;

    public string Text(string column) => TextOrNull(column) ?? throw Missing(column);

    public string? TextOrNull(string column) => (string?)this[column];

    public long Long(string column) => LongOrNull(column) ?? throw Missing(column);

    public long? LongOrNull(string column) => this[column] is { } v ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;

    public int Int(string column) => checked((int)Long(column));

    public double Real(string column) => this[column] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : throw Missing(column);

    public byte[] Bytes(string column) => (byte[]?)this[column] ?? throw Missing(column);

    public DateTimeOffset Time(string column) => StoreTime.FromStored(Long(column));

    public DateTimeOffset? TimeOrNull(string column) => StoreTime.FromStored(LongOrNull(column));

    /// <summary>The value normalised to the column's kind: string, long, double, byte[] or null.</summary>
    public object? Normalised(ColumnSchema column) => this[column.Name] is null
        ? null
        : column.Kind switch
        {
            ColumnKind.Text => Text(column.Name),
            ColumnKind.Integer => Long(column.Name),
            ColumnKind.Real => Real(column.Name),
            _ => Bytes(column.Name),
        };

    private static InvalidOperationException Missing(string column) => new($"column {column} is null or missing");
}
