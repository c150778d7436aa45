using Drover.Core.Adapters;
using Drover.Core.Ports;
using Drover.Storage.Tests.Postgres;
using Drover.Testing.Postgres;

namespace Drover.Storage.Tests;

/// <summary>The contract against a throw-away PostgreSQL server, one new database per test.</summary>
[Collection(PostgresCollection.Name)]
[RequiresPostgres]
public sealed class PostgresStateStoreTests(PostgresServer server) : StateStoreContract
{
    private string? _connectionString;

    public override async Task InitializeAsync() => _connectionString = await server.CreateDatabaseAsync();

    [PostgresFact]
    public async Task Factory_PostgresForms_OpenPostgresStores()
    {
        await using var prefixed = await StateStoreFactory.OpenAsync($"postgres:{_connectionString}", CancellationToken.None);
        await using var plain = await StateStoreFactory.OpenAsync(_connectionString!, CancellationToken.None);

        Assert.IsType<PostgresStateStore>(prefixed);
        Assert.IsType<PostgresStateStore>(plain);
    }

    [PostgresFact]
    public async Task Factory_DatabaseThatDoesNotExist_RefusedInEveryMode()
    {
        var missing = new Npgsql.NpgsqlConnectionStringBuilder(_connectionString) { Database = "no_such_database" }.ConnectionString;

        foreach (var mode in Enum.GetValues<StoreOpenMode>())
        {
            var error = await Assert.ThrowsAsync<AdapterConfigurationException>(() => StateStoreFactory.OpenAsync($"postgres:{missing}", mode, CancellationToken.None));
            Assert.Contains("the database no_such_database does not exist", error.Message, StringComparison.Ordinal);
        }
    }

    [PostgresFact]
    public async Task Factory_ExistingWithSchema_EmptyDatabase_RefusedAndLeftEmpty_ExistingOnlySetsItUp()
    {
        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(
            () => StateStoreFactory.OpenAsync($"postgres:{_connectionString}", StoreOpenMode.ExistingWithSchema, CancellationToken.None));
        Assert.Contains("is not a Drover store", error.Message, StringComparison.Ordinal);
        await using (var connection = new Npgsql.NpgsqlConnection(_connectionString))
        {
            await connection.OpenAsync();
            await using var count = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()", connection);
            Assert.Equal(0L, await count.ExecuteScalarAsync());
        }

        await using var store = await StateStoreFactory.OpenAsync($"postgres:{_connectionString}", StoreOpenMode.ExistingOnly, CancellationToken.None);
        Assert.Equal(Schema.StoreSchema.CurrentVersion, await store.GetSchemaVersionAsync(CancellationToken.None));
    }

    protected override async Task<IStateStore> OpenStoreCoreAsync() =>
        await PostgresStateStore.OpenAsync(_connectionString!, CancellationToken.None);

    protected override async Task<IStateStore> OpenFreshStoreCoreAsync() =>
        await PostgresStateStore.OpenAsync(await server.CreateDatabaseAsync(), CancellationToken.None);
}
