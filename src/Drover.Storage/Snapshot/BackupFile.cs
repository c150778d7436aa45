using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Core.Ports;

namespace Drover.Storage.Snapshot;

/// <summary>
/// Writes a store's snapshot to a file without ever leaving a half-written one: the snapshot goes to a temporary file
/// beside the target, which is flushed to disk and then renamed over the target. Restores one all or nothing: the
/// file is checked before the store is opened, and the import runs in one transaction.
/// </summary>
public static class BackupFile
{
    /// <summary>Exports <paramref name="store"/> to <paramref name="path"/>; returns the number of bytes written.</summary>
    public static async Task<long> WriteAsync(IStateStore store, string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var temporary = $"{full}.{Guid.NewGuid():N}.partial";
        try
        {
            long length;
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, FileOptions.Asynchronous))
            {
                await store.ExportAsync(stream, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
                length = stream.Length;
            }

            File.Move(temporary, full, overwrite: true);
            return length;
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    /// <summary>
    /// Replaces the content of the store <paramref name="storeLocation"/> names with the backup at
    /// <paramref name="path"/>. The backup file is checked first, so a file that cannot be restored opens no store;
    /// the store must exist unless <paramref name="create"/> (a new SQLite file is then made, and deleted again if the
    /// restore fails); a store that holds data is refused unless <paramref name="force"/>.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">The backup file or the store is missing, unreadable or unreachable.</exception>
    /// <exception cref="StateStoreException">The store is not empty, or the backup is broken past its first line; nothing was changed.</exception>
    public static async Task RestoreAsync(string storeLocation, string path, bool force, bool create, CancellationToken cancellationToken)
    {
        await using var backup = OpenForRestore(path);
        var created = create ? StateStoreFactory.MissingSqliteFile(storeLocation) : null;
        if (!create && StateStoreFactory.MissingSqliteFile(storeLocation) is { } missing)
        {
            throw new AdapterConfigurationException(
                $"state store {SqliteStateStore.Describe(missing)} does not exist; restore --create makes a new SQLite file there");
        }

        try
        {
            await using var store = await StateStoreFactory.OpenAsync(storeLocation, create ? StoreOpenMode.CreateIfMissing : StoreOpenMode.ExistingOnly, cancellationToken).ConfigureAwait(false);
            await store.ImportAsync(backup, force, cancellationToken).ConfigureAwait(false);
        }
        catch when (created is not null)
        {
            SqliteStateStore.DeleteFiles(created);
            throw;
        }
    }

    /// <summary>Opens <paramref name="path"/> for reading once its first line is a backup header this Drover restores.</summary>
    /// <exception cref="AdapterConfigurationException">The file is missing, a folder, unreadable, empty or not a Drover backup.</exception>
    private static FileStream OpenForRestore(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new AdapterConfigurationException($"backup file {full} is a folder, not a file written by drover backup");
        }

        FileStream stream;
        try
        {
            stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new AdapterConfigurationException($"backup file {full} does not exist");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new AdapterConfigurationException($"backup file {full} cannot be read: {e.Message}", e);
        }

        try
        {
            string? header;
            using (var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: false, bufferSize: 4096, leaveOpen: true))
            {
                header = reader.ReadLine();
            }

            if (string.IsNullOrWhiteSpace(header))
            {
                throw new AdapterConfigurationException($"backup file {full} is empty, not a file written by drover backup");
            }

            try
            {
                using var document = JsonDocument.Parse(header);
                SnapshotImporter.CheckHeader(document.RootElement);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                var what = e is JsonException ? "is not JSON" : "lacks the backup header's fields";
                throw new AdapterConfigurationException($"backup file {full} is not a Drover backup: its first line {what}");
            }
            catch (StateStoreException e)
            {
                throw new AdapterConfigurationException($"backup file {full}: {e.Message}", e);
            }

            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
