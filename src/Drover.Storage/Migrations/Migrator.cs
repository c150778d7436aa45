using System.Globalization;
using System.Reflection;
using Drover.Core.Ports;
using Drover.Storage.Schema;
using Drover.Storage.Sql;

namespace Drover.Storage.Migrations;

/// <summary>
/// Brings a store to <see cref="StoreSchema.CurrentVersion"/> inside one transaction: creates
/// <c>schema_version</c>, refuses a store newer than the code, applies the missing scripts in order and
/// records each. Running it again on an up-to-date store changes nothing.
/// </summary>
internal static class Migrator
{
    private const string ResourcePrefix = "Drover.Storage.Migrations.";

    public static IReadOnlyList<MigrationScript> Scripts(SqlDialect dialect)
    {
        var assembly = typeof(Migrator).Assembly;
        var prefix = $"{ResourcePrefix}{dialect.MigrationFolder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Select(n => (Resource: n, Normalised: n.Replace('/', '.').Replace('\\', '.')))
            .Where(n => n.Normalised.StartsWith(prefix, StringComparison.Ordinal) && n.Normalised.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Load(assembly, n.Resource, n.Normalised[prefix.Length..^4]))
            .OrderBy(s => s.Version)
            .ToList();
        // Numbered 1 to CurrentVersion without gaps.
        var versions = scripts.Select(s => s.Version).ToList();
        var all = Enumerable.Range(1, StoreSchema.CurrentVersion).ToList();
        if (!versions.SequenceEqual(all))
        {
            throw new InvalidOperationException(
                $"the {dialect.MigrationFolder} migrations must be numbered 1 to {StoreSchema.CurrentVersion} without gaps");
        }

        return scripts;
    }

    public static async Task MigrateAsync(DbSession session, SqlDialect dialect)
    {
        if (dialect.MigrationLockSql is { } lockSql)
        {
            await session.ExecuteAsync(lockSql).ConfigureAwait(false);
        }

        await session.ExecuteAsync(
            "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL PRIMARY KEY, name TEXT NOT NULL)").ConfigureAwait(false);
        var current = await CurrentVersionAsync(session).ConfigureAwait(false);
        if (current > StoreSchema.CurrentVersion)
        {
            throw new StateStoreException(
                $"the store has schema version {current}, newer than this Drover understands ({StoreSchema.CurrentVersion}); " +
                "upgrade Drover or restore a backup made by this version");
        }

        // Every script not recorded yet.
        var applied = (await session.QueryAsync("SELECT version FROM schema_version").ConfigureAwait(false)).Select(r => r.Long("version")).ToHashSet();
        foreach (var script in Scripts(dialect).Where(s => !applied.Contains(s.Version)))
        {
            await session.ExecuteAsync(script.Sql).ConfigureAwait(false);
            await session.ExecuteAsync(
                "INSERT INTO schema_version (version, name) VALUES (@version, @name)",
                new { version = (long)script.Version, name = script.Name }).ConfigureAwait(false);
        }
    }

    public static async Task<int> CurrentVersionAsync(DbSession session) =>
        (int)(await session.ScalarAsync<long?>("SELECT MAX(version) FROM schema_version").ConfigureAwait(false) ?? 0);

    private static MigrationScript Load(Assembly assembly, string resource, string fileName)
    {
        var separator = fileName.IndexOf('_', StringComparison.Ordinal);
        if (separator <= 0 || !int.TryParse(fileName[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new InvalidOperationException($"migration {resource} is not named NNNN_name.sql");
        }

        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"migration {resource} is missing");
        using var reader = new StreamReader(stream);
        return new MigrationScript(version, fileName[(separator + 1)..], reader.ReadToEnd());
    }
}
