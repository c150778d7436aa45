using Drover.Core.Ports;

namespace Drover.Storage.Tests;

/// <summary>The contract against SQLite files in a temporary directory per test.</summary>
public sealed class SqliteStateStoreTests : StateStoreContract
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-sqlite-").FullName;
    private int _fresh;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Open_File_UsesWriteAheadLogging()
    {
        var store = await OpenAsync();
        await Write(store, (w, ct) => w.SetNextOrdinalAsync("linux", 1, ct));

        Assert.True(File.Exists(Path.Combine(_directory, "drover.db-wal")));
    }

    [Fact]
    public async Task Factory_SqliteForms_OpenSqliteStores()
    {
        await using var prefixed = await StateStoreFactory.OpenAsync($"sqlite:{_directory}/a/prefixed.db", CancellationToken.None);
        await using var plain = await StateStoreFactory.OpenAsync(Path.Combine(_directory, "plain.db"), CancellationToken.None);

        Assert.IsType<SqliteStateStore>(prefixed);
        Assert.IsType<SqliteStateStore>(plain);
    }

    protected override async Task<IStateStore> OpenStoreCoreAsync() =>
        await SqliteStateStore.OpenAsync(Path.Combine(_directory, "drover.db"), CancellationToken.None);

    protected override async Task<IStateStore> OpenFreshStoreCoreAsync() =>
        await SqliteStateStore.OpenAsync(Path.Combine(_directory, $"fresh-{++_fresh}.db"), CancellationToken.None);
}
