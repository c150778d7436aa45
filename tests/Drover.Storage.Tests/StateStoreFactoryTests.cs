using System.Net;
using System.Net.Sockets;
using Drover.Core.Adapters;

namespace Drover.Storage.Tests;

/// <summary>
/// <see cref="StateStoreFactory"/> decides in one place whether a store that is not there may be created: only
/// <see cref="StoreOpenMode.CreateIfMissing"/> creates one; the other modes refuse with one line and write nothing.
/// </summary>
public sealed class StateStoreFactoryTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-factory-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData(StoreOpenMode.ExistingOnly, "missing.db")]
    [InlineData(StoreOpenMode.ExistingOnly, "no-such-dir/x.db")]
    [InlineData(StoreOpenMode.ExistingWithSchema, "missing.db")]
    [InlineData(StoreOpenMode.ExistingWithSchema, "no-such-dir/x.db")]
    public async Task Open_MissingSqliteStoreWhereItMustExist_RefusedAndNothingCreated(StoreOpenMode mode, string relative)
    {
        var path = Path.Combine(_directory, relative);

        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(() => StateStoreFactory.OpenAsync("sqlite:" + path, mode, CancellationToken.None));

        Assert.Contains($"sqlite:{path} does not exist", error.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Open_MissingSqliteStoreWithCreateIfMissing_CreatesItAndItsFolder()
    {
        var path = Path.Combine(_directory, "new", "state.db");

        await using var store = await StateStoreFactory.OpenAsync("sqlite:" + path, StoreOpenMode.CreateIfMissing, CancellationToken.None);

        Assert.True(File.Exists(path));
        Assert.Equal(Schema.StoreSchema.CurrentVersion, await store.GetSchemaVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Open_ExistingWithSchema_SqliteFileDroverNeverSetUp_RefusedAndLeftUntouched()
    {
        var path = Path.Combine(_directory, "other.db");
        await File.WriteAllBytesAsync(path, []);

        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(
            () => StateStoreFactory.OpenAsync("sqlite:" + path, StoreOpenMode.ExistingWithSchema, CancellationToken.None));

        Assert.Contains("is not a Drover store", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.Equal(["other.db"], Directory.GetFiles(_directory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task Open_ExistingOnly_EmptySqliteFile_GetsTheSchema()
    {
        var path = Path.Combine(_directory, "empty.db");
        await File.WriteAllBytesAsync(path, []);

        await using var store = await StateStoreFactory.OpenAsync("sqlite:" + path, StoreOpenMode.ExistingOnly, CancellationToken.None);

        Assert.Equal(Schema.StoreSchema.CurrentVersion, await store.GetSchemaVersionAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData(StoreOpenMode.CreateIfMissing)]
    [InlineData(StoreOpenMode.ExistingOnly)]
    public async Task Open_FileThatIsNotSqlite_RefusedWithOneLine(StoreOpenMode mode)
    {
        var path = Path.Combine(_directory, "notes.txt");
        await File.WriteAllTextAsync(path, new string('x', 4096));

        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(() => StateStoreFactory.OpenAsync("sqlite:" + path, mode, CancellationToken.None));

        Assert.Contains($"sqlite:{path} cannot be used", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(StoreOpenMode.CreateIfMissing)]
    [InlineData(StoreOpenMode.ExistingOnly)]
    [InlineData(StoreOpenMode.ExistingWithSchema)]
    public async Task Open_UnknownScheme_RefusedNamingTheSchemesWithoutWhatFollows(StoreOpenMode mode)
    {
        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(
            () => StateStoreFactory.OpenAsync("mysql://drover:hunter2@db/drover", mode, CancellationToken.None));

        Assert.Contains("unknown scheme 'mysql:'", error.Message, StringComparison.Ordinal);
        Assert.Contains("sqlite:", error.Message, StringComparison.Ordinal);
        Assert.Contains("postgres:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists("mysql://drover:hunter2@db/drover"));
    }

    [Theory]
    [InlineData(StoreOpenMode.CreateIfMissing)]
    [InlineData(StoreOpenMode.ExistingOnly)]
    [InlineData(StoreOpenMode.ExistingWithSchema)]
    public async Task Open_PostgresOnAClosedPort_RefusedNamingHostAndPortNotThePassword(StoreOpenMode mode)
    {
        var port = ClosedPort();

        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(() => StateStoreFactory.OpenAsync(
            $"postgres:Host=127.0.0.1;Port={port};Database=drover;Username=drover;Password=hunter2-secret;Timeout=5", mode, CancellationToken.None));

        Assert.Contains($"cannot reach the PostgreSQL server at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData("sqlite:")]
    [InlineData("postgres:  ")]
    [InlineData("")]
    public async Task Open_EmptyLocation_RefusedSayingTheForms(string location)
    {
        var error = await Assert.ThrowsAsync<AdapterConfigurationException>(() => StateStoreFactory.OpenAsync(location, CancellationToken.None));

        Assert.Contains(StateStoreFactory.Forms, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on: bound by the system, then closed.</summary>
    internal static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
