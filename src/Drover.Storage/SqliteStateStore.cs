using System.Data.Common;
using Drover.Core.Adapters;
using Drover.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace Drover.Storage;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode (readers never block the writer), with a
/// busy timeout so concurrent writers wait instead of failing, and foreign keys enforced.
/// </summary>
public sealed class SqliteStateStore : RelationalStateStore
{
    private const int BusyTimeoutMilliseconds = 10_000;
    private const int SqlitePermission = 3;
    private const int SqliteReadOnly = 8;
    private const int SqliteCannotOpen = 14;
    private const int SqliteNotADatabase = 26;

    private readonly string _connectionString;

    private SqliteStateStore(string connectionString)
        : base(new SqliteDialect())
    {
        _connectionString = connectionString;
    }

    /// <summary>Opens (creating if needed) the store at <paramref name="path"/> and applies pending migrations.</summary>
    public static Task<SqliteStateStore> OpenAsync(string path, CancellationToken cancellationToken) =>
        OpenAsync(path, StoreOpenMode.CreateIfMissing, cancellationToken);

    /// <summary>
    /// Opens the store at <paramref name="path"/> and applies pending migrations. Unless <paramref name="mode"/> is
    /// <see cref="StoreOpenMode.CreateIfMissing"/>, a missing file or folder is refused and nothing is created.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">
    /// The file or its folder does not exist (and may not be created), the path is a folder, the file is not a SQLite
    /// database or cannot be opened, or it holds no Drover schema where <paramref name="mode"/> requires one.
    /// </exception>
    public static async Task<SqliteStateStore> OpenAsync(string path, StoreOpenMode mode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var description = Describe(full);
        var directory = Path.GetDirectoryName(full);
        if (Directory.Exists(full))
        {
            throw new AdapterConfigurationException($"state store {description}: {full} is a folder, not a SQLite file");
        }

        if (mode == StoreOpenMode.CreateIfMissing)
        {
            if (!string.IsNullOrEmpty(directory))
            {
                Directory.CreateDirectory(directory);
            }
        }
        else if (!File.Exists(full))
        {
            throw new AdapterConfigurationException(!string.IsNullOrEmpty(directory) && !Directory.Exists(directory)
                ? $"state store {description} does not exist: there is no folder {directory}"
                : $"state store {description} does not exist: there is no file {full}");
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = full,
            Mode = mode == StoreOpenMode.CreateIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            ForeignKeys = true,
            Pooling = true,
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString();
        var store = new SqliteStateStore(connectionString);
        try
        {
            await store.RequireSchemaAsync(mode, description, cancellationToken).ConfigureAwait(false);
            await using (var connection = await store.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
            {
                await ExecuteAsync(connection, "PRAGMA journal_mode = WAL", cancellationToken).ConfigureAwait(false);
            }

            await store.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is SqliteNotADatabase or SqliteCannotOpen or SqliteReadOnly or SqlitePermission)
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new AdapterConfigurationException($"state store {description} cannot be used: {e.Message.Replace('\n', ' ')}", e);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>How messages name the store at <paramref name="fullPath"/>.</summary>
    internal static string Describe(string fullPath) => $"sqlite:{fullPath}";

    /// <summary>Deletes the store file at <paramref name="fullPath"/> with its journal files; for a store that was only just created.</summary>
    internal static void DeleteFiles(string fullPath)
    {
        foreach (var file in new[] { fullPath, fullPath + "-wal", fullPath + "-shm", fullPath + "-journal" })
        {
            File.Delete(file);
        }
    }

    /// <summary>Closes the pooled connections to the file.</summary>
    public override ValueTask DisposeAsync()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    private protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, $"PRAGMA busy_timeout = {BusyTimeoutMilliseconds}", cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private protected override ValueTask<DbTransaction> BeginTransactionAsync(DbConnection connection, TransactionKind kind, CancellationToken cancellationToken) =>
        ValueTask.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: kind == TransactionKind.Snapshot));

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
