using Drover.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Drover.Server.Hosting;

/// <summary>
/// Watches the configuration file of <c>drover serve --config FILE</c> and, once its directory has been quiet for
/// <see cref="Debounce"/> (measured on the injected clock) and the file's content differs from what was seen last,
/// reloads it through <see cref="ConfigReloader"/>, the same path as <c>POST /api/v1/reload</c>. An invalid file is
/// refused there; the running configuration stays.
/// </summary>
/// <remarks>
/// The whole directory is watched, not the file's name: the kubelet updates a mounted ConfigMap or Secret by writing a
/// new timestamped directory and renaming a <c>..data</c> symlink over the old one, so <c>fleet.yaml</c> (a symlink
/// through <c>..data</c>) changes content without an event of its own. Editors that write a temporary file and rename
/// it, and rotated files, are followed the same way. Comparing content hashes keeps unrelated files in the directory,
/// and rewrites of the same content, from reloading.
/// </remarks>
internal sealed class ConfigFileWatcher(string path, ConfigReloader reloader, TimeProvider time, ILogger logger) : IHostedService, IDisposable
{
    /// <summary>How long the file must stay unchanged before it is re-read; editors write in several steps.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);

    /// <summary>The event log actor of reloads this watcher starts.</summary>
    public const string Actor = "config-file";

    private readonly Lock _sync = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConfigFileFingerprint _fingerprint = new(path);
    private FileSystemWatcher? _watcher;
    private ITimer? _timer;
    private Task _pending = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full) ?? throw new InvalidOperationException($"cannot watch '{path}': no directory");
        _ = _fingerprint.Changed();
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.Size | NotifyFilters.CreationTime,
        };
        _watcher.Changed += OnChanged;
        _watcher.Created += OnChanged;
        _watcher.Deleted += OnChanged;
        _watcher.Renamed += OnChanged;
        _watcher.EnableRaisingEvents = true;
        HostingLog.WatchingConfigFile(logger, full);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task pending;
        lock (_sync)
        {
            if (_watcher is not null)
            {
                _watcher.EnableRaisingEvents = false;
            }

            _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            pending = _pending;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await pending.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _timer?.Dispose();
        _stopping.Dispose();
    }

    private void OnChanged(object sender, FileSystemEventArgs e)
    {
        lock (_sync)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _timer?.Change(Debounce, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void Fire()
    {
        lock (_sync)
        {
            if (!_stopping.IsCancellationRequested)
            {
                _pending = _pending.ContinueWith(_ => ReloadAsync(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
            }
        }
    }

    private async Task ReloadAsync()
    {
        if (!_fingerprint.Changed())
        {
            return;
        }

        try
        {
            await reloader.ReloadAsync(Actor, EventKinds.ConfigFileReload, EventKinds.ConfigFileReloadRejected, null, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Shutting down: the change is picked up from the file at the next start.
        }
        catch (StateStoreException e)
        {
            HostingLog.ConfigFileReloadNotRecorded(logger, e);
        }
    }
}
