using Drover.Storage.Schema;

namespace Drover.Storage.Sql;

/// <summary>SQL built from <see cref="StoreSchema"/>; the statements are valid in both SQLite and PostgreSQL.</summary>
internal static class SqlText
{
    public static string Select(TableSchema table) =>
        $"SELECT {string.Join(", ", table.Columns.Select(c => c.Name))} FROM {table.Name}";

    public static string SelectOrdered(TableSchema table) => $"{Select(table)} ORDER BY {string.Join(", ", table.Key)}";

    public static string Insert(TableSchema table, bool withIdentity)
    {
        var columns = table.InsertColumns(withIdentity);
        var sql = $"INSERT INTO {table.Name} ({string.Join(", ", columns.Select(c => c.Name))}) " +
                  $"VALUES ({string.Join(", ", columns.Select(c => "@" + c.Name))})";
        return table.HasIdentity && !withIdentity ? sql + " RETURNING id" : sql;
    }

    /// <summary>Insert, or update every non-key column when the key exists.</summary>
    public static string Upsert(TableSchema table) =>
        $"{Insert(table, withIdentity: true)} ON CONFLICT ({string.Join(", ", table.Key)}) DO UPDATE SET " +
        string.Join(", ", table.Columns.Where(c => !table.Key.Contains(c.Name)).Select(c => $"{c.Name} = excluded.{c.Name}"));

    /// <summary>An <c>IN (…)</c> list of one parameter per id (the same SQL in both dialects) and its parameters.</summary>
    public static (string List, Dapper.DynamicParameters Parameters) IdList(IReadOnlyList<string> ids)
    {
        var parameters = new Dapper.DynamicParameters();
        for (var i = 0; i < ids.Count; i++)
        {
            parameters.Add($"id{i}", ids[i], System.Data.DbType.String);
        }

        return (string.Join(", ", ids.Select((_, i) => $"@id{i}")), parameters);
    }
}
