using System.Text;
using Drover.Storage.Tests.Postgres;
using Drover.Testing.Postgres;
using static Drover.Storage.Tests.TestData;

namespace Drover.Storage.Tests;

/// <summary>A backup moves between dialects without changing a byte: SQLite → PostgreSQL → SQLite.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossStoreRoundTripTests(PostgresServer server) : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-roundtrip-").FullName;

    [PostgresFact]
    public async Task Export_SqliteToPostgresToSqlite_IdenticalDocuments()
    {
        var ct = CancellationToken.None;
        await using var sqlite = await SqliteStateStore.OpenAsync(Path.Combine(_directory, "a.db"), ct);
        await FillAsync(sqlite);
        var fromSqlite = await ExportAsync(sqlite);

        await using var postgres = await PostgresStateStore.OpenAsync(await server.CreateDatabaseAsync(), ct);
        await postgres.ImportAsync(new MemoryStream(fromSqlite), force: false, ct);
        var fromPostgres = await ExportAsync(postgres);

        await using var again = await SqliteStateStore.OpenAsync(Path.Combine(_directory, "b.db"), ct);
        await again.ImportAsync(new MemoryStream(fromPostgres), force: false, ct);
        var fromSqliteAgain = await ExportAsync(again);

        Assert.Equal(Encoding.UTF8.GetString(fromSqlite), Encoding.UTF8.GetString(fromPostgres));
        Assert.Equal(fromSqlite, fromSqliteAgain);
        Assert.Equal(17, Encoding.UTF8.GetString(fromSqlite).Count(c => c == '\n'));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
