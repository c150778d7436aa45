using Drover.Core.Ports;

namespace Drover.Storage.Snapshot;

/// <summary>
/// Writes a store's snapshot to a file without ever leaving a half-written one: the snapshot goes to a temporary file
/// beside the target, which is flushed to disk and then renamed over the target.
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
}
