namespace Drover.Storage.Schema;

/// <summary>
/// One column of a table. <paramref name="Default"/> is what a restore writes when a backup made before the column
/// existed has no value for it (the value the migration that added it gave existing rows).
/// </summary>
internal sealed record ColumnSchema(string Name, ColumnKind Kind, bool Nullable = false, object? Default = null);
