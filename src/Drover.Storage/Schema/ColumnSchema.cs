namespace Drover.Storage.Schema;

/// <summary>One column of a table.</summary>
internal sealed record ColumnSchema(string Name, ColumnKind Kind, bool Nullable = false);
