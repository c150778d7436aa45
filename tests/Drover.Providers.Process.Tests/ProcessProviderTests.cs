using Drover.Providers.Process.Tests.Support;
using Drover.Testing;

namespace Drover.Providers.Process.Tests;

public sealed class ProcessProviderTests
{
    private const string Secret = "jit-SECRET-4f1c9a77e0";

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
    public async Task Create_JitConfig_IsInTheDefaultVariableAndNotOnAnyCommandLine()
    {
        await using var h = new ProviderHarness(Settings("""/bin/sh -c 'echo "$ACTIONS_RUNNER_INPUT_JITCONFIG" > got; sleep 30 & echo $! > child; wait'"""));

        var id = await h.CreateAsync("t-linux-0001", Secret);

        Assert.Equal("t-linux-0001", id);
        var dir = h.RunnerDir(id);
        await Processes.WaitForFileAsync(Path.Combine(dir, "got"));
        await Processes.WaitForFileAsync(Path.Combine(dir, "child"));
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(dir, "got")).Trim());
        var pid = h.Provider.ProcessId(id)!.Value;
        var child = Processes.ReadPid(Path.Combine(dir, "child"));
        h.Track(child);
        Assert.Contains("/bin/sh", Processes.CommandLine(pid), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Processes.CommandLine(pid), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Processes.CommandLine(child), StringComparison.Ordinal);
        Assert.All(h.Logger.Messages, m => Assert.DoesNotContain(Secret, m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_GitLabToken_GoesToCiServerTokenOrTheConfiguredVariable()
    {
        await using var gitlab = new ProviderHarness(Settings("""/bin/sh -c 'echo "$CI_SERVER_TOKEN" > got; sleep 30'"""));
        await using var custom = new ProviderHarness(Settings("""/bin/sh -c 'echo "$MY_INPUT" > got; echo "[$CI_SERVER_TOKEN]" > default; sleep 30'""", ("registrationEnv", "MY_INPUT")));

        await gitlab.CreateAsync("g-1", "glrt-token-value", kind: "runner-token");
        await custom.CreateAsync("g-2", "glrt-token-value", kind: "runner-token");

        await Processes.WaitForFileAsync(Path.Combine(gitlab.RunnerDir("g-1"), "got"));
        await Processes.WaitForFileAsync(Path.Combine(custom.RunnerDir("g-2"), "default"));
        Assert.Equal("glrt-token-value", File.ReadAllText(Path.Combine(gitlab.RunnerDir("g-1"), "got")).Trim());
        Assert.Equal("glrt-token-value", File.ReadAllText(Path.Combine(custom.RunnerDir("g-2"), "got")).Trim());
        Assert.Equal("[]", File.ReadAllText(Path.Combine(custom.RunnerDir("g-2"), "default")).Trim());
    }

    [Fact]
    public async Task Create_UnknownCredentialKindWithoutRegistrationEnv_FailsAndSaysWhatToSet()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 30"));

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.CreateAsync("t-1", Secret, kind: "api-key"));

        Assert.Contains("providers[local].settings.registrationEnv", e.Message, StringComparison.Ordinal);
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Create_Placeholders_ExpandToTheRunnerAndExtraEnvIsSetButDroverEnvIsNot()
    {
        Environment.SetEnvironmentVariable("DROVER_PROCESS_TEST_PARENT_ONLY", "parent-value");
        await using var h = new ProviderHarness(Settings(
            """/bin/sh -c 'echo "$1|$2|$3|$EXTRA|$WORK|${DROVER_PROCESS_TEST_PARENT_ONLY:-unset}" > got; sleep 30' sh {runnerName} {pool}""",
            ("args", "{runnerDir}"),
            ("env", "EXTRA=plain value; WORK={runnerDir}/_work")));

        var id = await h.CreateAsync("t-linux-0002", Secret);

        var dir = h.RunnerDir(id);
        await Processes.WaitForFileAsync(Path.Combine(dir, "got"));
        Assert.Equal($"t-linux-0002|linux|{dir}|plain value|{dir}/_work|unset", File.ReadAllText(Path.Combine(dir, "got")).Trim());
    }

    [Fact]
    public async Task Create_SameKeyTwice_ReturnsTheSameInstanceAndStartsOneProcess()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 30"));

        var first = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(first);
        var second = await h.CreateAsync("t-1", "another-credential");

        Assert.Equal(first, second);
        Assert.Equal(pid, h.Provider.ProcessId(second));
        var instance = Assert.Single(await h.Provider.ListAsync(CancellationToken.None));
        Assert.Equal("t-1", instance.IdempotencyKey);
        Assert.Equal(0, h.Vault.Count);
    }

    [Fact]
    public async Task Create_BeyondMaxConcurrent_FailsClearlyUntilOneEnds()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 30", ("maxConcurrent", "2")));
        await h.CreateAsync("t-1", Secret);
        await h.CreateAsync("t-2", Secret);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.CreateAsync("t-3", Secret));

        Assert.Contains("maxConcurrent", e.Message, StringComparison.Ordinal);
        Assert.Contains("2 of at most 2", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Vault.Count);
        Assert.Equal(2, (await h.Provider.ListAsync(CancellationToken.None)).Count);

        await h.Provider.DeleteAsync("t-1", CancellationToken.None);
        await h.CreateAsync("t-3", Secret);
        Assert.Equal(["t-2", "t-3"], (await h.Provider.ListAsync(CancellationToken.None)).Select(i => i.InstanceId));
    }

    [Fact]
    public async Task Create_CommandThatCannotStart_FailsWithTheReasonAndKeepsTheCredentialForARetry()
    {
        await using var h = new ProviderHarness(Settings("{runnerDir}/run.sh"));
        var request = h.Request("t-1", Secret);

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => h.Provider.CreateAsync(request, CancellationToken.None));

        Assert.Contains("cannot start runner t-1", e.Message, StringComparison.Ordinal);
        Assert.Contains("run.sh", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        Assert.Equal(1, h.Vault.Count);
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
        Assert.False(Directory.Exists(h.RunnerDir("t-1")));
    }

    [Fact]
    public async Task List_ReportsCreatedAtFromTheInjectedClock()
    {
        var time = ProviderHarness.FakeTime();
        await using var h = new ProviderHarness(Settings("/bin/sleep 30"), time);
        await h.CreateAsync("t-1", Secret);
        time.Advance(TimeSpan.FromMinutes(3));

        var instance = Assert.Single(await h.Provider.ListAsync(CancellationToken.None));

        Assert.Equal(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), instance.CreatedAt);
        Assert.Equal("local", instance.Provider);
        Assert.Equal("linux", instance.Pool);
        Assert.Equal("t-1", instance.InstanceId);
    }

    [Fact]
    public async Task Delete_KillsTheProcessTreeAndRemovesTheWorkDirectory()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'sleep 30 & echo $! > child; wait'"));
        var id = await h.CreateAsync("t-1", Secret);
        var pid = h.Provider.ProcessId(id)!.Value;
        await Processes.WaitForFileAsync(Path.Combine(h.RunnerDir(id), "child"));
        var child = Processes.ReadPid(Path.Combine(h.RunnerDir(id), "child"));
        h.Track(child);
        Assert.True(Processes.IsAlive(child));

        await h.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.False(Processes.IsAlive(pid));
        await Eventually.TrueAsync(() => !Processes.IsAlive(child), "the grandchild is gone", TimeSpan.FromSeconds(5), seen: () => $"process {child} alive");
        Assert.False(Directory.Exists(h.RunnerDir(id)));
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
        var exit = Assert.Single(h.Provider.RecentExits);
        Assert.True(exit.Deleted);
        Assert.Null(exit.LogPath);
    }

    [Fact]
    public async Task Delete_WithKeepLogs_KeepsTheWorkDirectoryAndItsLog()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'echo started; exec sleep 30'", ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);
        var log = Path.Combine(h.RunnerDir(id), "runner.log");
        await Eventually.ThatAsync(() => File.ReadAllText(log), text => text.Contains("started", StringComparison.Ordinal), "the process wrote its first line", text => $"log: '{text}'", TimeSpan.FromSeconds(15));

        await h.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.Contains("started", File.ReadAllText(log), StringComparison.Ordinal);
        var exit = Assert.Single(h.Provider.RecentExits);
        Assert.True(exit.Deleted);
        Assert.Equal(log, exit.LogPath);
        Assert.Contains(h.Logger.Messages, m => m.Contains("t-1 stopped by delete", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_UnknownOrAlreadyDeleted_Succeeds()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 30"));
        var id = await h.CreateAsync("t-1", Secret);

        await h.Provider.DeleteAsync(id, CancellationToken.None);
        await h.Provider.DeleteAsync(id, CancellationToken.None);
        await h.Provider.DeleteAsync("never-created", CancellationToken.None);

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Exit_IsNoticed_TheInstanceLeavesTheListAndTheExitIsLogged()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'echo ran; exit 3'", ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
        var exit = Assert.Single(h.Provider.RecentExits);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.Deleted);
        Assert.Equal(Path.Combine(h.RunnerDir(id), "runner.log"), exit.LogPath);
        Assert.Contains(h.Logger.Messages, m => m.StartsWith("Information:", StringComparison.Ordinal) && m.Contains("t-1 exited with code 3", StringComparison.Ordinal));
        Assert.Contains("ran", File.ReadAllText(exit.LogPath!), StringComparison.Ordinal);

        var again = await h.CreateAsync("t-1", Secret);
        Assert.Equal(id, again);
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Exit_KilledBySigkillDroverDidNotSend_ListedAsLostUntilDeleted()
    {
        await using var h = new ProviderHarness(Settings("/bin/sleep 30"));
        var id = await h.CreateAsync("t-1", Secret);
        using (var process = System.Diagnostics.Process.GetProcessById(await Processes.RunnerOfAsync(h.Provider.ProcessId(id)!.Value, "/bin/sleep")))
        {
            process.Kill();
        }

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        var lost = Assert.Single(await h.Provider.ListAsync(CancellationToken.None));
        Assert.Equal((id, Core.Planning.InstanceFailureKind.Lost), (lost.InstanceId, lost.FailureKind));
        Assert.Contains("SIGKILL", lost.Failure, StringComparison.Ordinal);
        await h.Provider.DeleteAsync(id, CancellationToken.None);
        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Theory]
    [InlineData("kill -SEGV $$")]
    [InlineData("exit 1")]
    public async Task Exit_CrashOrFailureOfItsOwn_IsNotListedAsLost(string how)
    {
        await using var h = new ProviderHarness(Settings($"/bin/sh -c '{how}'"));
        await h.CreateAsync("t-1", Secret);

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        Assert.Empty(await h.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Exit_WithoutKeepLogs_RemovesTheWorkDirectory()
    {
        await using var h = new ProviderHarness(Settings("/bin/sh -c 'echo ran'"));
        var id = await h.CreateAsync("t-1", Secret);

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        Assert.False(Directory.Exists(h.RunnerDir(id)));
        Assert.Null(h.Provider.RecentExits[0].LogPath);
        Assert.Equal(0, h.Provider.RecentExits[0].ExitCode);
    }

    [Fact]
    public async Task Log_CollectsStdoutAndStderrWithTheCredentialRedacted()
    {
        await using var h = new ProviderHarness(Settings(
            """/bin/sh -c 'echo "out: token=$ACTIONS_RUNNER_INPUT_JITCONFIG;"; echo "err: $ACTIONS_RUNNER_INPUT_JITCONFIG" >&2; echo plain'""",
            ("keepLogs", "true")));
        await h.CreateAsync("t-1", Secret);

        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        var log = File.ReadAllText(h.Provider.RecentExits[0].LogPath!);
        Assert.DoesNotContain(Secret, log, StringComparison.Ordinal);
        Assert.Contains("out: token=***;", log, StringComparison.Ordinal);
        Assert.Contains("err: ***", log, StringComparison.Ordinal);
        Assert.Contains("plain", log, StringComparison.Ordinal);
        Assert.All(h.Logger.Messages, m => Assert.DoesNotContain(Secret, m, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RegistrationFile_Is0600WhileRunningAndRemovedWhenTheProcessEnds()
    {
        await using var h = new ProviderHarness(Settings(
            "/bin/sh -c 'cat \"$1\" > copy; stat -c %a \"$1\" > mode; while [ ! -f stop ]; do sleep 0.05; done' sh {credentialFile}",
            ("registrationFile", "true"),
            ("keepLogs", "true")));
        var id = await h.CreateAsync("t-1", Secret);
        var dir = h.RunnerDir(id);

        await Processes.WaitForFileAsync(Path.Combine(dir, "mode"));
        Assert.Equal(Secret, File.ReadAllText(Path.Combine(dir, "copy")));
        Assert.Equal("600", File.ReadAllText(Path.Combine(dir, "mode")).Trim());
        Assert.True(File.Exists(Path.Combine(dir, ".credential")));
        Assert.DoesNotContain(Secret, Processes.CommandLine(h.Provider.ProcessId(id)!.Value), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(dir, "stop"), "now");
        await Eventually.ThatAsync(() => h.Provider.RecentExits.Count, exits => exits == 1, "the exit is noticed", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));

        Assert.False(File.Exists(Path.Combine(dir, ".credential")));
        Assert.True(File.Exists(Path.Combine(dir, "runner.log")));
    }

    [Fact]
    public async Task Dispose_KillsEveryRunnerProcess()
    {
        var h = new ProviderHarness(Settings("/bin/sleep 30"));
        await h.CreateAsync("t-1", Secret);
        await h.CreateAsync("t-2", Secret);
        var pids = new[] { h.Provider.ProcessId("t-1")!.Value, h.Provider.ProcessId("t-2")!.Value };

        await h.DisposeAsync();

        Assert.All(pids, p => Assert.False(Processes.IsAlive(p)));
    }
}
