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

    protected override async Task<IStateStore> OpenStoreCoreAsync() =>
        await PostgresStateStore.OpenAsync(_connectionString!, CancellationToken.None);

    protected override async Task<IStateStore> OpenFreshStoreCoreAsync() =>
        await PostgresStateStore.OpenAsync(await server.CreateDatabaseAsync(), CancellationToken.None);
}
