namespace Drover.Storage.Schema;

/// <summary>
/// One table as both dialects create it: columns in a fixed order (the export order), the primary key, and
/// whether <c>id</c> is assigned by the database.
/// </summary>
internal sealed record TableSchema(string Name, IReadOnlyList<ColumnSchema> Columns, IReadOnlyList<string> Key, bool HasIdentity = false)
{
    /// <summary>The columns an insert names: without the identity column unless ids are given (as on import).</summary>
    public IReadOnlyList<ColumnSchema> InsertColumns(bool withIdentity) =>
        HasIdentity && !withIdentity ? [.. Columns.Where(c => c.Name != "id")] : Columns;

    public ColumnSchema Column(string name) =>
        Columns.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"table {Name} has no column {name}", nameof(name));
}
