using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>SQLite: a write transaction (BEGIN IMMEDIATE) already excludes other writers; AUTOINCREMENT follows inserted ids.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public override string MigrationFolder => "Sqlite";

    public override string? MigrationLockSql => null;

    public override string SchemaVersionTableCountSql =>
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";

    public override string? ResetIdentitySql(TableSchema table) => null;
}
