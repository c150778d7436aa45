using System.Data;
using System.Data.Common;
using Drover.Storage.Sql;
using Npgsql;

namespace Drover.Storage;

/// <summary>
/// The store for highly available deployments: several Drover replicas share one PostgreSQL database
/// and elect a leader through the lease row. Connections come from one pooled Npgsql data source.
/// </summary>
public sealed class PostgresStateStore : RelationalStateStore
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresStateStore(NpgsqlDataSource dataSource)
        : base(new PostgresDialect())
    {
        _dataSource = dataSource;
    }

    /// <summary>Connects with an Npgsql connection string (<c>Host=…;Database=…;Username=…</c>) and applies pending migrations.</summary>
    public static async Task<PostgresStateStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var store = new PostgresStateStore(NpgsqlDataSource.Create(connectionString));
        try
        {
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Closes the data source and its pooled connections.</summary>
    public override ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private protected override async ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, TransactionKind kind, CancellationToken cancellationToken)
    {
        if (kind != TransactionKind.Snapshot)
        {
            return await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken).ConfigureAwait(false);
        }

        var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SET TRANSACTION READ ONLY";
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return transaction;
    }
}
