using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>What differs between SQLite and PostgreSQL beyond the connection: kept here and nowhere else.</summary>
internal abstract class SqlDialect
{
    /// <summary>Folder of this dialect's migration scripts under <c>Migrations/</c>.</summary>
    public abstract string MigrationFolder { get; }

    /// <summary>Statement that serialises concurrent migrations on one database, run first in the migration transaction.</summary>
    public abstract string? MigrationLockSql { get; }

    /// <summary>Query counting the <c>schema_version</c> tables visible to the store: 1 once Drover has set the store up, else 0.</summary>
    public abstract string SchemaVersionTableCountSql { get; }

    /// <summary>Statement that moves an identity column's sequence past imported ids, if the dialect needs one.</summary>
    public abstract string? ResetIdentitySql(TableSchema table);
}
