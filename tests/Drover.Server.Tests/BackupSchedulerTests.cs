using Drover.Core.Ports;
using Drover.Server.Hosting;
using Drover.Storage;
using Drover.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Server.Tests;

/// <summary>Scheduled backups on a fake clock: on time, restorable, pruned to the newest N, resumed from the files after a restart.</summary>
public sealed class BackupSchedulerTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("drover-backups-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 0, 0, 0, TimeSpan.Zero));
    private IStateStore _store = null!;

    private string Backups => Path.Combine(_directory, "backups");

    public async Task InitializeAsync()
    {
        _store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "state.db"), CancellationToken.None);
        await _store.InTransactionAsync((w, ct) => w.AppendEventAsync(new NewEvent(_time.GetUtcNow(), "test", "seed", "store", "something to back up"), ct), CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        await _store.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task EverySixHours_KeepsTheNewestThree_EachRestorable()
    {
        var scheduler = new BackupScheduler(_store, new BackupOptions { Directory = Backups, Interval = TimeSpan.FromHours(6), Keep = 3 }, _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scheduler.RunAsync(stop.Token);

        await WaitForFiles(1);
        for (var i = 2; i <= 5; i++)
        {
            _time.Advance(TimeSpan.FromHours(6) - TimeSpan.FromSeconds(1));
            await Task.Delay(50);
            Assert.Equal(Math.Min(i - 1, 3), Files().Length);
            _time.Advance(TimeSpan.FromSeconds(1));
            await WaitForFiles(Math.Min(i, 3), newest: $"drover-{new DateTime(2026, 11, 23).AddHours((i - 1) * 6):yyyyMMdd'T'HHmmss'Z'}.jsonl");
        }

        await stop.CancelAsync();
        await StopsAsync(run);
        Assert.Equal(["drover-20261123T120000Z.jsonl", "drover-20261123T180000Z.jsonl", "drover-20261124T000000Z.jsonl"], Files().Select(f => Path.GetFileName(f)!).Order().ToArray());
        Assert.Empty(Directory.GetFiles(Backups, "*.partial"));

        await using var restored = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(_directory, "restored.db"), CancellationToken.None);
        await using (var file = File.OpenRead(Files().Max()!))
        {
            await restored.ImportAsync(file, force: false, CancellationToken.None);
        }

        var events = await restored.ListEventsAsync(new EventQuery { Limit = 100 }, CancellationToken.None);
        Assert.Contains(events, e => e.Kind == "seed");
        Assert.Contains(events, e => e.Kind == "backup.written");
    }

    [Fact]
    public async Task AfterARestart_TheNextBackupIsDueOneIntervalAfterTheNewestFile()
    {
        Directory.CreateDirectory(Backups);
        await File.WriteAllTextAsync(Path.Combine(Backups, "drover-20261122T220000Z.jsonl"), "{}");
        var scheduler = new BackupScheduler(_store, new BackupOptions { Directory = Backups, Interval = TimeSpan.FromHours(6), Keep = 5 }, _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scheduler.RunAsync(stop.Token);

        await Task.Delay(100);
        Assert.Single(Files());
        _time.Advance(TimeSpan.FromHours(4));
        await WaitForFiles(2, newest: "drover-20261123T040000Z.jsonl");

        // Cancelled while waiting it throws; cancelled between two steps it returns. Either way it stops at once.
        await stop.CancelAsync();
        await StopsAsync(run);
    }

    private static async Task StopsAsync(Task run)
    {
        try
        {
            await run.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(run.IsCompleted);
    }

    [Fact]
    public async Task FailingBackup_IsRetriedAfterARetryDelay_NotInATightLoop()
    {
        var severed = new Support.SeveringStore(_store);
        severed.Sever();
        var scheduler = new BackupScheduler(severed, new BackupOptions { Directory = Backups, Interval = TimeSpan.FromHours(6), Keep = 3 }, _time, NullLogger.Instance);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scheduler.RunAsync(stop.Token);

        await Task.Delay(300);
        Assert.Equal(1, severed.Refused);
        _time.Advance(BackupScheduler.RetryDelay);
        await Eventually.ThatAsync(() => severed.Refused, refused => refused >= 2, "a second attempt after the retry delay", refused => $"{refused} attempt(s) refused", TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(20));

        await Task.Delay(300);
        Assert.Equal(2, severed.Refused);
        Assert.Empty(Files());
        await stop.CancelAsync();
        await StopsAsync(run);
    }

    private string[] Files() => Directory.Exists(Backups) ? Directory.GetFiles(Backups, "drover-*.jsonl") : [];

    private Task WaitForFiles(int count, string? newest = null) =>
        Eventually.ThatAsync(
            Files,
            files => files.Length == count && (newest is null || files.Any(f => Path.GetFileName(f) == newest)),
            $"{count} backups{(newest is null ? string.Empty : $" with {newest}")}",
            files => "found: " + string.Join(", ", files.Select(Path.GetFileName)),
            TimeSpan.FromSeconds(10),
            TimeSpan.FromMilliseconds(20));
}
