using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>PostgreSQL: a transaction-scoped advisory lock around migrations; identity sequences reset after import.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    /// <summary>Arbitrary constant naming Drover's migration lock.</summary>
    private const long MigrationLockKey = 0x44524F564552;

    public override string MigrationFolder => "Postgres";

    public override string? MigrationLockSql => $"SELECT pg_advisory_xact_lock({MigrationLockKey})";

    public override string SchemaVersionTableCountSql =>
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'";

    public override string? ResetIdentitySql(TableSchema table) => table.HasIdentity
        ? $"SELECT setval(pg_get_serial_sequence('{table.Name}', 'id'), COALESCE((SELECT MAX(id) FROM {table.Name}), 0) + 1, false)"
        : null;
}
