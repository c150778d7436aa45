using System.Net;
using System.Net.Sockets;
using Drover.Core.Ports;
using Drover.Storage;

namespace Drover.Cli.Tests;

/// <summary>
/// <c>drover backup</c> and <c>drover restore</c> refuse a store that is not there (a missing SQLite file or folder, a
/// scheme no store serves, a PostgreSQL server nobody answers on) and a backup file they cannot read: exit 2, one line
/// saying what and where, and nothing written: no store file, no backup file, no partial restore.
/// </summary>
public sealed class BackupRestoreRefusalTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-cli-refuse-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A pooled SQLite handle may still be closing.
        }
    }

    [Theory]
    [InlineData("no-such-dir/x.db")]
    [InlineData("missing.db")]
    public void Backup_SqliteStoreThatDoesNotExist_Exits2AndWritesNothing(string relative)
    {
        var path = Path.Combine(_directory, relative);
        var file = Path.Combine(_directory, "state.jsonl");

        var (exit, output, error) = CliRunner.Run(BackupCommand.Create(), "backup", "--store", "sqlite:" + path, "--to", file);

        Assert.Equal(2, exit);
        AssertOneLine(error, "backup: ", path);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
        Assert.Empty(output);
        Assert.False(File.Exists(path), "the missing SQLite file was created");
        Assert.False(Directory.Exists(Path.Combine(_directory, "no-such-dir")), "the missing folder was created");
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Backup_UnknownScheme_Exits2NamingTheSchemesThatExist()
    {
        var file = Path.Combine(_directory, "state.jsonl");

        var (exit, _, error) = CliRunner.Run(BackupCommand.Create(), "backup", "--store", "mysql:foo", "--to", file);

        Assert.Equal(2, exit);
        AssertOneLine(error, "backup: ", "mysql:");
        Assert.Contains("sqlite:", error, StringComparison.Ordinal);
        Assert.Contains("postgres:", error, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.False(File.Exists("mysql:foo"));
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public void Backup_UnreachablePostgres_Exits2WithoutThePasswordAndWritesNothing()
    {
        var file = Path.Combine(_directory, "state.jsonl");
        var store = $"postgres:Host=127.0.0.1;Port={ClosedPort()};Database=drover;Username=drover;Password=hunter2-secret;Timeout=5";

        var (exit, _, error) = CliRunner.Run(BackupCommand.Create(), "backup", "--store", store, "--to", file);

        Assert.Equal(2, exit);
        AssertOneLine(error, "backup: ", "127.0.0.1");
        Assert.DoesNotContain("hunter2-secret", error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_directory));
    }

    [Fact]
    public async Task Backup_SqliteFileThatIsNoDroverStore_Exits2AndLeavesItUntouched()
    {
        var path = Path.Combine(_directory, "other.db");
        await File.WriteAllBytesAsync(path, []);
        var file = Path.Combine(_directory, "state.jsonl");

        var (exit, _, error) = CliRunner.Run(BackupCommand.Create(), "backup", "--store", "sqlite:" + path, "--to", file);

        Assert.Equal(2, exit);
        AssertOneLine(error, "backup: ", path);
        Assert.Equal(0, new FileInfo(path).Length);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public async Task Restore_MissingSqliteFile_Exits2WithoutCreate_AndRestoresIntoANewFileWithCreate()
    {
        var backup = await BackupOfOneEventAsync();
        var path = Path.Combine(_directory, "new", "target.db");

        var refused = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", "sqlite:" + path, "--from", backup);

        Assert.Equal(2, refused.ExitCode);
        AssertOneLine(refused.Error, "restore: ", path);
        Assert.Contains("--create", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));

        var created = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", "sqlite:" + path, "--from", backup, "--create");

        Assert.Equal(0, created.ExitCode);
        await using var restored = await StateStoreFactory.OpenAsync("sqlite:" + path, CancellationToken.None);
        Assert.Contains(await restored.ListEventsAsync(new EventQuery { Limit = 10 }, CancellationToken.None), e => e.Message == "seed");
    }

    [Fact]
    public async Task Restore_UnknownScheme_Exits2()
    {
        var backup = await BackupOfOneEventAsync();

        var (exit, _, error) = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", "mysql:foo", "--from", backup, "--create");

        Assert.Equal(2, exit);
        AssertOneLine(error, "restore: ", "mysql:");
        Assert.Contains("sqlite:", error, StringComparison.Ordinal);
        Assert.False(File.Exists("mysql:foo"));
    }

    [Fact]
    public async Task Restore_UnreachablePostgres_Exits2WithoutThePassword()
    {
        var backup = await BackupOfOneEventAsync();
        var store = $"Host=127.0.0.1;Port={ClosedPort()};Database=drover;Username=drover;Password=hunter2-secret;Timeout=5";

        var (exit, _, error) = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", store, "--from", backup, "--force");

        Assert.Equal(2, exit);
        AssertOneLine(error, "restore: ", "127.0.0.1");
        Assert.DoesNotContain("hunter2-secret", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("directory")]
    [InlineData("not a backup")]
    [InlineData("empty")]
    public async Task Restore_BackupFileThatCannotBeRead_Exits2AndCreatesNoStore(string what)
    {
        var from = Path.Combine(_directory, "backup.jsonl");
        switch (what)
        {
            case "directory":
                Directory.CreateDirectory(from);
                break;
            case "not a backup":
                await File.WriteAllTextAsync(from, "id,name\n1,linux\n");
                break;
            case "empty":
                await File.WriteAllTextAsync(from, string.Empty);
                break;
        }

        var path = Path.Combine(_directory, "target.db");

        var (exit, _, error) = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", "sqlite:" + path, "--from", from, "--create");

        Assert.Equal(2, exit);
        AssertOneLine(error, "restore: ", from);
        Assert.False(File.Exists(path), "a store was created for a backup that cannot be restored");
    }

    [Fact]
    public async Task Restore_BackupBrokenHalfway_WithCreate_Exits1AndLeavesNoStoreFile()
    {
        var backup = await BackupOfOneEventAsync();
        var lines = (await File.ReadAllLinesAsync(backup)).ToList();
        lines.RemoveAt(lines.Count - 1);
        await File.WriteAllLinesAsync(backup, lines);
        var path = Path.Combine(_directory, "target.db");

        var (exit, _, error) = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", "sqlite:" + path, "--from", backup, "--create");

        Assert.Equal(1, exit);
        AssertOneLine(error, "restore: ", "no end line");
        Assert.Empty(Directory.GetFiles(_directory, "target.db*"));
    }

    [Fact]
    public async Task Restore_BackupBrokenHalfway_IntoAnExistingStore_ChangesNothing()
    {
        var backup = await BackupOfOneEventAsync();
        var lines = (await File.ReadAllLinesAsync(backup)).ToList();
        lines.RemoveAt(lines.Count - 1);
        await File.WriteAllLinesAsync(backup, lines);
        var target = "sqlite:" + Path.Combine(_directory, "kept.db");
        await using (var store = await StateStoreFactory.OpenAsync(target, CancellationToken.None))
        {
            await store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(DateTimeOffset.UnixEpoch, "test", "test.seed", "store", "kept"), ct), CancellationToken.None);
        }

        var (exit, _, _) = CliRunner.Run(RestoreCommand.Create(), "restore", "--store", target, "--from", backup, "--force");

        Assert.Equal(1, exit);
        await using var after = await StateStoreFactory.OpenAsync(target, CancellationToken.None);
        Assert.Equal(["kept"], (await after.ListEventsAsync(new EventQuery { Limit = 10 }, CancellationToken.None)).Select(e => e.Message));
    }

    private static void AssertOneLine(string error, string prefix, string mentions)
    {
        Assert.StartsWith(prefix, error, StringComparison.Ordinal);
        Assert.Contains(mentions, error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    /// <summary>A loopback port nothing listens on: bound by the system, then closed.</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private async Task<string> BackupOfOneEventAsync()
    {
        var source = Path.Combine(_directory, "source", "source.db");
        await using (var store = await StateStoreFactory.OpenAsync("sqlite:" + source, CancellationToken.None))
        {
            await store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(DateTimeOffset.UnixEpoch, "test", "test.seed", "store", "seed"), ct), CancellationToken.None);
        }

        var file = Path.Combine(_directory, "source", "backup.jsonl");
        Assert.Equal(0, CliRunner.Run(BackupCommand.Create(), "backup", "--store", "sqlite:" + source, "--to", file).ExitCode);
        return file;
    }
}
