using System.Data;
using System.Data.Common;
using Drover.Core.Adapters;
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
    public static Task<PostgresStateStore> OpenAsync(string connectionString, CancellationToken cancellationToken) =>
        OpenAsync(connectionString, StoreOpenMode.CreateIfMissing, cancellationToken);

    /// <summary>
    /// Connects with an Npgsql connection string and applies pending migrations. Drover never creates a PostgreSQL
    /// database: the server must answer and the database exist in every <paramref name="mode"/>.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">
    /// The connection string is not valid, the server cannot be reached, the database does not exist, the login is
    /// refused, or the database holds no Drover schema where <paramref name="mode"/> requires one. The message names
    /// host, port, database and user, never the password.
    /// </exception>
    public static async Task<PostgresStateStore> OpenAsync(string connectionString, StoreOpenMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidCastException)
        {
            throw new AdapterConfigurationException($"state store postgres: not a valid Npgsql connection string ({e.GetType().Name}); use Host=...;Database=...;Username=...");
        }

        var description = Describe(builder);
        var store = new PostgresStateStore(NpgsqlDataSource.Create(builder));
        try
        {
            await store.RequireSchemaAsync(mode, description, cancellationToken).ConfigureAwait(false);
            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (Exception e) when (Unavailable(e, builder) is { } reason)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new AdapterConfigurationException($"state store {description}: {reason}", e);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How messages name the store: host, port, database and user; never the password or other settings.</summary>
    internal static string Describe(NpgsqlConnectionStringBuilder builder) =>
        $"postgres:Host={builder.Host};Port={builder.Port};Database={builder.Database ?? builder.Username};Username={builder.Username}";

    /// <summary>Why opening failed when the configuration or the environment is at fault, else null.</summary>
    private static string? Unavailable(Exception e, NpgsqlConnectionStringBuilder builder) => e switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } =>
            $"the database {builder.Database} does not exist on the server; create it first (Drover creates the tables, not the database)",
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } p =>
            $"the server refused the login: {p.MessageText}",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } p =>
            $"the user may not set up or read Drover's tables: {p.MessageText}",
        PostgresException => null,
        NpgsqlException { InnerException: { } inner } => $"cannot reach the PostgreSQL server at {builder.Host}:{builder.Port} ({inner.Message})",
        NpgsqlException n => $"cannot reach the PostgreSQL server at {builder.Host}:{builder.Port} ({n.Message})",
        _ => null,
    };

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
