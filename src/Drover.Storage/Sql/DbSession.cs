using System.Data;
using System.Data.Common;
using Dapper;
using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>A connection, the transaction it runs in (if any) and the caller's cancellation token.</summary>
internal sealed class DbSession(DbConnection connection, DbTransaction? transaction, CancellationToken cancellationToken)
{
    public CancellationToken CancellationToken => cancellationToken;

    public async Task<IReadOnlyList<RowReader>> QueryAsync(string sql, object? parameters = null)
    {
        var rows = await connection.QueryAsync(Command(sql, parameters)).ConfigureAwait(false);
        return [.. rows.Select(r => new RowReader((IDictionary<string, object?>)r))];
    }

    public async Task<RowReader?> QuerySingleOrNullAsync(string sql, object? parameters = null)
    {
        var rows = await QueryAsync(sql, parameters).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<int> ExecuteAsync(string sql, object? parameters = null) =>
        connection.ExecuteAsync(Command(sql, parameters));

    public Task<T?> ScalarAsync<T>(string sql, object? parameters = null) =>
        connection.ExecuteScalarAsync<T>(Command(sql, parameters));

    /// <summary>Parameters named after the table's columns, typed by column kind so that nulls carry a type.</summary>
    public static DynamicParameters Parameters(TableSchema table, IReadOnlyDictionary<string, object?> row, bool withIdentity)
    {
        var parameters = new DynamicParameters();
        foreach (var column in table.InsertColumns(withIdentity))
        {
            row.TryGetValue(column.Name, out var value);
            parameters.Add(column.Name, value, column.Kind switch
            {
                ColumnKind.Text => DbType.String,
                ColumnKind.Integer => DbType.Int64,
                ColumnKind.Real => DbType.Double,
                _ => DbType.Binary,
            });
        }

        return parameters;
    }

    private CommandDefinition Command(string sql, object? parameters) =>
        new(sql, parameters, transaction, cancellationToken: cancellationToken);
}
