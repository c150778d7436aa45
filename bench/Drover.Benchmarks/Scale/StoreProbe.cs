using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Drover.Benchmarks.Scale;

/// <summary>Reads a store's size in bytes and its row counts per table, directly with SQL (a benchmark's view, not the product's).</summary>
internal sealed class StoreProbe
{
    /// <summary>The tables that grow with history.</summary>
    public static readonly string[] GrowingTables = ["events", "jobs", "runners", "runner_history", "cost_ledger", "webhook_deliveries", "arrival_buckets"];

    private readonly string? _sqlitePath;
    private readonly string? _postgres;

    private StoreProbe(string? sqlitePath, string? postgres)
    {
        _sqlitePath = sqlitePath;
        _postgres = postgres;
    }

    public static StoreProbe Sqlite(string path) => new(path, null);

    public static StoreProbe Postgres(string connectionString) => new(null, connectionString);

    /// <summary>Bytes on disk (SQLite: the database file and its WAL) or <c>pg_database_size</c>.</summary>
    public async Task<long> SizeAsync()
    {
        if (_sqlitePath is { } path)
        {
            return new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists).Sum(f => new FileInfo(f).Length);
        }

        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT pg_database_size(current_database())";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows per table of <see cref="GrowingTables"/>.</summary>
    public async Task<Dictionary<string, long>> RowsAsync()
    {
        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var connection = await OpenAsync();
        foreach (var table in GrowingTables)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            rows[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }

        return rows;
    }

    /// <summary>Live runners whose cost mark is missing or before the start of their current state (a closed segment not written yet).</summary>
    public async Task<long> RunnersNotCostedToTheirStateAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM runners r LEFT JOIN runner_costs c ON c.runner_id = r.id " +
            "WHERE r.state <> 'gone' AND (c.costed_until IS NULL OR c.costed_until < r.state_since)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Cost lines that end exactly on a UTC hour: the lines the ledger closes at each hour's end.</summary>
    public async Task<long> HourLinesAsync()
    {
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM cost_ledger WHERE to_at % 3600000000 = 0";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Rows per value of <paramref name="column"/> in <paramref name="table"/> (e.g. events by kind), most first.</summary>
    public async Task<IReadOnlyList<(string Value, long Count)>> CountByAsync(string table, string column)
    {
        var counts = new List<(string, long)>();
        await using var connection = await OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COALESCE({column}, '(none)'), COUNT(*) FROM {table} GROUP BY 1 ORDER BY 2 DESC";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            counts.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return counts;
    }

    private async Task<DbConnection> OpenAsync()
    {
        DbConnection connection = _sqlitePath is { } path
            ? new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString())
            : new NpgsqlConnection(_postgres);
        await connection.OpenAsync();
        return connection;
    }
}
