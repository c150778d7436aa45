namespace Drover.Storage.Snapshot;

/// <summary>
/// The backup document: UTF-8 JSON lines. A header line, one line per row (tables in
/// <see cref="Schema.StoreSchema.Tables"/> order, rows by primary key, columns in schema order), an end line
/// with the row count so that a truncated file is refused.
/// </summary>
internal static class SnapshotFormat
{
    public const string Format = "drover-state";

    public const int FormatVersion = 1;
}
