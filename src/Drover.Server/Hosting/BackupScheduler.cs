using System.Globalization;
using Drover.Core.Ports;
using Drover.Storage.Snapshot;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>
/// Takes a backup of the store every <see cref="BackupOptions.Interval"/> into <see cref="BackupOptions.Directory"/>
/// as <c>drover-YYYYMMDDTHHMMSSZ.jsonl</c> (the format of <c>drover backup</c>), and keeps the newest
/// <see cref="BackupOptions.Keep"/>. The schedule follows the files: after a restart the next backup is due one interval
/// after the newest file, at once if that is past. Runs on the leader only, so replicas do not write the same backup.
/// </summary>
internal sealed class BackupScheduler(IStateStore store, BackupOptions options, TimeProvider time, ILogger logger)
{
    private const string Prefix = "drover-";
    private const string Suffix = ".jsonl";
    private const string StampFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>After a failed backup, the next attempt comes this much later (or at the interval, if that is sooner).</summary>
    public static readonly TimeSpan RetryDelay = TimeSpan.FromMinutes(5);

    private TimeSpan Retry => RetryDelay < options.Interval ? RetryDelay : options.Interval;

    /// <summary>Runs until cancelled; does nothing when no directory is configured.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (options.Directory is not { } directory)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (Newest(directory) ?? DateTimeOffset.MinValue) + options.Interval;
            var wait = due - time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            if (!await BackupOnceAsync(directory, cancellationToken).ConfigureAwait(false))
            {
                // No new file moved the schedule on: wait before the next attempt rather than retrying at once.
                await Task.Delay(Retry, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Writes one backup now and prunes old ones; false when it failed (logged).</summary>
    private async Task<bool> BackupOnceAsync(string directory, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var path = Path.Combine(directory, Prefix + at.UtcDateTime.ToString(StampFormat, CultureInfo.InvariantCulture) + Suffix);
        try
        {
            var bytes = await BackupFile.WriteAsync(store, path, cancellationToken).ConfigureAwait(false);
            HostingLog.BackupWritten(logger, path, bytes);
            await store.InTransactionAsync(
                (writer, ct) => writer.AppendEventAsync(new NewEvent(at, "backup", EventKinds.BackupWritten, Path.GetFileName(path), $"scheduled backup, {bytes} bytes"), ct),
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StateStoreException)
        {
            HostingLog.BackupFailed(logger, path, e.Message, Retry);
            return false;
        }

        foreach (var old in Backups(directory).OrderByDescending(b => b.At).Skip(Math.Max(1, options.Keep)))
        {
            File.Delete(old.Path);
            HostingLog.OldBackupDeleted(logger, old.Path);
        }

        return true;
    }

    private static DateTimeOffset? Newest(string directory) =>
        Backups(directory).Select(b => (DateTimeOffset?)b.At).Max();

    private static IEnumerable<(string Path, DateTimeOffset At)> Backups(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*" + Suffix))
        {
            var name = Path.GetFileName(path);
            var stamp = name[Prefix.Length..^Suffix.Length];
            if (DateTimeOffset.TryParseExact(stamp, StampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at))
            {
                yield return (path, at);
            }
        }
    }
}
