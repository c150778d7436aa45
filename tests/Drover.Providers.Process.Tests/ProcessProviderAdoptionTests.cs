using System.Text.Json;
using Drover.Providers.Process.Tests.Support;
using Drover.Testing;

namespace Drover.Providers.Process.Tests;

/// <summary>
/// What a restarted Drover process finds of the runner processes an earlier one started: the registry on disk, adoption
/// by process id and start time, deletes that reach the runner's whole process group, and output that never goes
/// through a pipe to Drover.
/// </summary>
public sealed class ProcessProviderAdoptionTests
{
    private const string Secret = "jit-SECRET-77aa01";

    private static Dictionary<string, string> Settings(string command, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["command"] = command };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task Restart_RunningRunner_IsAdoptedListedAndDeletedWithEverythingItStarted()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'sleep 60 & echo $! > child; wait'"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;
        await Processes.WaitForFileAsync(Path.Combine(h.RunnerDir(id), "child"));
        var child = Processes.ReadPid(Path.Combine(h.RunnerDir(id), "child"));
        h.Track(child);

        var restarted = h.Reopen();

        var instance = Assert.Single(await restarted.ListAsync(CancellationToken.None));
        Assert.Equal(("t-1", "t-1", "linux"), (instance.InstanceId, instance.IdempotencyKey, instance.Pool));
        Assert.Equal(pid, restarted.ProcessId(id));
        Assert.Equal(["t-1"], restarted.Adopted);
        Assert.Contains(h.Logger.Messages, m => m.Contains($"adopted runner t-1 of pool linux, still running as process {pid}", StringComparison.Ordinal));

        await restarted.DeleteAsync(id, CancellationToken.None);

        Assert.False(Processes.IsAlive(pid));
        await Eventually.TrueAsync(() => !Processes.IsAlive(child), "the runner's child is gone", TimeSpan.FromSeconds(5), seen: () => $"process {child} alive");
        // The instance before the restart (a dead process in real life) has seen the exit too, and left the registry alone.
        await Eventually.TrueAsync(() => h.Provider.RecentExits.Any(e => e.RunnerName == "t-1"), "the first instance saw the exit", TimeSpan.FromSeconds(5));
        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
        Assert.Empty(Directory.GetFiles(restarted.StateDirectory));
        Assert.True(Assert.Single(restarted.RecentExits).Deleted);
        Assert.Empty(await h.Reopen().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Restart_RunnerThatEndedMeanwhile_IsReportedGoneAndCleanedUp()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;
        var registry = new RunnerRegistry(h.Provider.StateDirectory);
        var record = Assert.Single(registry.List(out _));
        await h.Provider.DeleteAsync(id, CancellationToken.None);
        // As if the earlier Drover process had died before it saw the exit: the record is still there.
        registry.Write(record);
        Directory.CreateDirectory(h.RunnerDir(id));

        var restarted = h.Reopen();

        Assert.False(Processes.IsAlive(pid));
        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
        var exit = Assert.Single(restarted.RecentExits);
        Assert.Equal(("t-1", ProcessExit.Unknown, false), (exit.RunnerName, exit.ExitCode, exit.Deleted));
        Assert.Empty(registry.List(out _));
        Assert.False(Directory.Exists(h.RunnerDir(id)));
        Assert.Contains(h.Logger.Messages, m => m.Contains("runner t-1 ended while no Drover process watched it", StringComparison.Ordinal));
        Assert.Equal(id, await restarted.CreateAsync(h.Request(id, Secret), CancellationToken.None));
        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Restart_AdoptedRunnerKilledFromOutside_IsListedAsLostWithTheSignal()
    {
        // keepLogs: the first provider, still alive here (in life that process is gone), also sees its child end and
        // must not take the work directory with the exit status away from under the one that adopted it.
        await using var h = new ProviderHarness(Settings("/bin/sleep 60", ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);
        var runner = await Processes.RunnerOfAsync(h.Provider.ProcessId(id)!.Value, "/bin/sleep");
        var restarted = h.Reopen();
        Assert.Equal(["t-1"], restarted.Adopted);

        // The OOM killer, an operator: the runner program dies, not by Drover's hand, after the restart adopted it.
        using (var process = System.Diagnostics.Process.GetProcessById(runner))
        {
            process.Kill();
        }

        var lost = await Eventually.ThatAsync(
            async () => (await restarted.ListAsync(CancellationToken.None)).SingleOrDefault(),
            i => i is { FailureKind: Core.Planning.InstanceFailureKind.Lost },
            "the adopted runner is listed as lost",
            i => i is null ? "not listed" : $"{i.InstanceId}: {i.FailureKind} {i.Failure}",
            TimeSpan.FromSeconds(10));
        Assert.Contains("SIGKILL", lost!.Failure, StringComparison.Ordinal);
        var exit = Assert.Single(restarted.RecentExits);
        Assert.Equal(("t-1", 137, false), (exit.RunnerName, exit.ExitCode, exit.Deleted));
        await restarted.DeleteAsync(id, CancellationToken.None);
        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Restart_RunnerKilledWhileNoDroverWatched_IsListedAsLost()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60", ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);
        var registry = new RunnerRegistry(h.Provider.StateDirectory);
        var record = Assert.Single(registry.List(out _));
        var runner = await Processes.RunnerOfAsync(h.Provider.ProcessId(id)!.Value, "/bin/sleep");
        using (var process = System.Diagnostics.Process.GetProcessById(runner))
        {
            process.Kill();
        }

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
        // As if the earlier Drover process had died before it saw the exit: the record is still there.
        registry.Write(record);

        var restarted = h.Reopen();

        var lost = Assert.Single(await restarted.ListAsync(CancellationToken.None));
        Assert.Equal((id, Core.Planning.InstanceFailureKind.Lost), (lost.InstanceId, lost.FailureKind));
        Assert.Contains("SIGKILL", lost.Failure, StringComparison.Ordinal);
        Assert.Equal(137, Assert.Single(restarted.RecentExits).ExitCode);
        Assert.Contains(h.Logger.Messages, m => m.Contains("runner t-1 ended while no Drover process watched it (exit code 137", StringComparison.Ordinal));

        // The record stays, as lost, until the runner is deleted: a further restart lists it lost too.
        Assert.Equal(137, Assert.Single(registry.List(out _)).LostExitCode);
        await restarted.DeleteAsync(id, CancellationToken.None);
        Assert.Empty(registry.List(out _));
        Assert.Empty(await h.Reopen().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Restart_RunnerKilledFromOutsideWhileWatched_IsStillListedLostAfterTheRestart()
    {
        // Drover saw the runner killed under its job and listed it lost, but stopped before the engine acted on it; the
        // next Drover process must list it lost too, or the job it ran is never re-run.
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var runner = await Processes.RunnerOfAsync(h.Provider.ProcessId(id)!.Value, "/bin/sleep");
        using (var process = System.Diagnostics.Process.GetProcessById(runner))
        {
            process.Kill();
        }

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
        Assert.Equal(Core.Planning.InstanceFailureKind.Lost, Assert.Single(await h.Provider.ListAsync(CancellationToken.None)).FailureKind);

        var restarted = h.Reopen();

        var lost = Assert.Single(await restarted.ListAsync(CancellationToken.None));
        Assert.Equal((id, Core.Planning.InstanceFailureKind.Lost), (lost.InstanceId, lost.FailureKind));
        Assert.Contains("SIGKILL", lost.Failure, StringComparison.Ordinal);

        await restarted.DeleteAsync(id, CancellationToken.None);
        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
        Assert.Empty(await h.Reopen().ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Restart_LostRunnerPastTheLostListing_IsForgotten()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var registry = new RunnerRegistry(h.Provider.StateDirectory);
        registry.Write(new RunnerRecord("t-2", "linux", DateTimeOffset.UnixEpoch, null, null, 137, DateTimeOffset.UtcNow - ProcessProvider.LostListing - TimeSpan.FromSeconds(1)));

        var restarted = h.Reopen();

        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
        Assert.Empty(registry.List(out _));
    }

    [Fact]
    public async Task Restart_RecordedProcessIdNowUsedByAnotherProgram_IsNotAdoptedNorSignalled()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        using var stranger = System.Diagnostics.Process.Start("/bin/sleep", "60");
        h.Track(stranger.Id);
        var registry = new RunnerRegistry(h.Provider.StateDirectory);
        var started = HostProcesses.StartTime(stranger.Id)!.Value;
        registry.Write(new RunnerRecord("t-9", "linux", DateTimeOffset.UnixEpoch, stranger.Id, started + 1));

        var restarted = h.Reopen();

        Assert.Empty(await restarted.ListAsync(CancellationToken.None));
        await restarted.DeleteAsync("t-9", CancellationToken.None);
        Assert.True(Processes.IsAlive(stranger.Id));
        stranger.Kill();
    }

    [Fact]
    public async Task Restart_CrashBetweenRecordAndStart_RunnerIsFoundByItsMarker()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;
        var registry = new RunnerRegistry(h.Provider.StateDirectory);
        // The record as written just before the start: no process id yet.
        registry.Write(new RunnerRecord("t-1", "linux", DateTimeOffset.UnixEpoch, null, null));

        var restarted = h.Reopen();

        Assert.Equal(pid, restarted.ProcessId(id));
        Assert.Equal(pid, Assert.Single(registry.List(out _)).ProcessId);
    }

    [Fact]
    public async Task Restart_CrashBetweenRecordAndStart_AnotherInstallationsRunnerOfTheSameNameIsNotTaken()
    {
        // Another Drover installation on the host, same provider and runner names, its runner started first.
        await using var other = new ProviderHarness(Settings("/bin/sleep 60"));
        var theirs = other.Provider.ProcessId(await other.CreateAsync("t-1", Secret))!.Value;
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;
        new RunnerRegistry(h.Provider.StateDirectory).Write(new RunnerRecord("t-1", "linux", DateTimeOffset.UnixEpoch, null, null));

        var restarted = h.Reopen();

        Assert.Equal(pid, restarted.ProcessId(id));
        Assert.NotEqual(theirs, restarted.ProcessId(id));
    }

    [Fact]
    public async Task Create_KeyOfAnAdoptedRunner_ReturnsItAndStartsNothing()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id);
        var restarted = h.Reopen();

        var again = await restarted.CreateAsync(h.Request("t-1", "another"), CancellationToken.None);

        Assert.Equal(id, again);
        Assert.Equal(pid, restarted.ProcessId(id));
        Assert.Single(await restarted.ListAsync(CancellationToken.None));
        Assert.Equal(0, h.Vault.Count);
    }

    [Fact]
    public async Task AdoptedRunnerExits_LeavesTheListAndIsCleanedUp()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'while [ ! -f stop ]; do sleep 0.05; done'"));
        var id = await h.CreateAsync("t-1", Secret);
        var restarted = h.Reopen();
        var changed = 0;
        restarted.InstancesChanged += () => Interlocked.Increment(ref changed);
        Assert.Single(await restarted.ListAsync(CancellationToken.None));

        File.WriteAllText(Path.Combine(h.RunnerDir(id), "stop"), "now");

        await Eventually.ThatAsync(async () => (await restarted.ListAsync(CancellationToken.None)).Count, n => n == 0, "the adopted runner leaves the list", n => $"{n} listed", TimeSpan.FromSeconds(10));
        Assert.False(Assert.Single(restarted.RecentExits).Deleted);
        Assert.Equal(1, changed);
        Assert.Empty(new RunnerRegistry(restarted.StateDirectory).List(out _));
    }

    [Fact]
    public async Task Exit_TellsTheEngineAtOnce()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'while [ ! -f stop ]; do sleep 0.05; done'"));
        var changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Provider.InstancesChanged += () => changed.TrySetResult();
        var id = await h.CreateAsync("t-1", Secret);

        File.WriteAllText(Path.Combine(h.RunnerDir(id), "stop"), "now");

        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Delete_SendsSigtermFirst_SoTheRunnerCanEndCleanly()
    {
        await using var h = new ProviderHarness(Settings(
            "/bin/sh -c 'trap \"echo bye > bye; exit 0\" TERM; echo up > up; while true; do sleep 0.05; done'",
            ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);
        await Processes.WaitForFileAsync(Path.Combine(h.RunnerDir(id), "up"));

        await h.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(h.RunnerDir(id), "bye")));
        Assert.Equal(0, Assert.Single(h.Provider.RecentExits).ExitCode);
    }

    [Fact]
    public async Task Delete_RunnerIgnoringSigterm_IsKilledAfterTheGrace()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'trap \"\" TERM; echo up > up; while true; do sleep 0.05; done'"));
        var provider = h.Reopen();
        var started = TimeProvider.System.GetTimestamp();
        var id = await provider.CreateAsync(h.Request("t-1", Secret), CancellationToken.None);
        h.Track(provider.ProcessId(id)!.Value);
        await Processes.WaitForFileAsync(Path.Combine(h.RunnerDir(id), "up"));

        await provider.DeleteAsync(id, CancellationToken.None);

        Assert.Empty(await provider.ListAsync(CancellationToken.None));
        Assert.True(TimeProvider.System.GetElapsedTime(started) >= provider.StopGrace);
    }

    [Fact]
    public async Task Runner_WritesItsOutputToItsLogFile_NotToAPipeToDrover()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 60"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;

        var log = Path.Combine(h.RunnerDir(id), "runner.log");
        var runner = await Processes.RunnerOfAsync(pid, "/bin/sleep");
        foreach (var process in (int[])[pid, runner])
        {
            // The launcher too: it holds nothing of Drover's standard streams, which may be a pipe to a log collector.
            Assert.Equal(log, new FileInfo($"/proc/{process}/fd/1").LinkTarget);
            Assert.Equal(log, new FileInfo($"/proc/{process}/fd/2").LinkTarget);
            Assert.Equal("/dev/null", new FileInfo($"/proc/{process}/fd/0").LinkTarget);
        }

        // Nor a copy of them (a shell keeps the streams it redirected for a command under higher numbers): the launcher
        // holds nothing this process (Drover) writes its output to.
        var ours = new[] { "/proc/self/fd/1", "/proc/self/fd/2" }.Select(fd => new FileInfo(fd).LinkTarget).Where(t => t != log && t != "/dev/null").ToHashSet();
        var held = Directory.GetFiles($"/proc/{pid}/fd").Select(fd => new FileInfo(fd).LinkTarget).ToList();
        Assert.All(held, target => Assert.False(target is not null && ours.Contains(target), $"the launcher holds {target}, one of Drover's own output streams"));

        // The launcher leads a session of its own: pid == process group == session id (/proc/PID/stat fields 5 and
        // 6), and the runner is in that group.
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[2]);
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]);
        var runnerStat = File.ReadAllText($"/proc/{runner}/stat");
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), runnerStat[(runnerStat.LastIndexOf(')') + 2)..].Split(' ')[2]);
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(new RunnerRegistry(h.Provider.StateDirectory).List(out _)), StringComparison.Ordinal);
    }
}
