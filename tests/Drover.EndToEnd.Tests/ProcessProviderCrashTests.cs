using System.Globalization;
using Drover.EndToEnd.Tests.Support;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Serve;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> as a real process with a GitHub pool on the <c>process</c> provider, killed with SIGKILL or
/// stopped with SIGTERM in the middle of a burst and started again on the same data directory: no runner process is
/// left behind once the burst settles, no job is lost or run twice, and a SIGTERM exits 0 within the shutdown timeout.
/// Runner processes are counted through <c>/proc</c> (their working directory under the work root).
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class ProcessProviderCrashTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_crash_e2e";
    private const string Secret = "crash-e2e-secret";
    private const int Jobs = 15;
    private const int IdleRunners = 2;
    private readonly TempDirectory _directory = new("drover-crash-e2e-");
    private int _starts;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_KilledWithSigkillMidBurst_RestartAdoptsItsRunnersAndNothingIsLeftBehind()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 5 });
        var serve = await StartAsync(emulator);
        var ids = QueueBurst(emulator);
        await Eventually.ThatAsync(() => RunnerProcesses.Under(WorkRoot).Count, n => n >= 4, "runner processes are running", n => $"{n} running", TimeSpan.FromSeconds(90));

        await serve.KillAsync();
        await serve.DisposeAsync();
        var leftByKill = RunnerProcesses.Under(WorkRoot).Count;
        var restartedAt = TimeProvider.System.GetTimestamp();
        await using var restarted = await StartAsync(emulator);
        var leading = await LeaderAfterAsync(restarted);
        var toLeader = TimeProvider.System.GetElapsedTime(restartedAt);

        try
        {
            await SettledAsync(emulator, ids);
        }
        finally
        {
            output.WriteLine(restarted.Output);
        }

        var stopped = (await restarted.TerminateAsync(TimeSpan.FromSeconds(40))).Took;

        Assert.Equal(0, restarted.ExitCode);
        var left = RunnerProcesses.Under(WorkRoot);
        Assert.Empty(left);
        Assert.Empty(emulator.Runners());
        output.WriteLine($"SIGKILL mid-burst: {leftByKill} runner processes kept running; restarted replica led again after {toLeader.TotalSeconds:F1} s ({leading}); " +
            $"{Jobs} jobs each run once; no orphaned process or registration after settling; SIGTERM exit 0 in {stopped.TotalSeconds:F1} s, {left.Count} runner processes left, {emulator.Runners().Count} registrations left");
    }

    [Fact]
    public async Task Serve_StoppedWithSigtermMidBurst_ExitsZeroLeavesOnlyBusyRunnersAndTheRestartAdoptsThem()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 6 });
        var serve = await StartAsync(emulator);
        var ids = QueueBurst(emulator);
        await Eventually.ThatAsync(
            () => (Processes: RunnerProcesses.Under(WorkRoot).Count, Busy: emulator.Runners().Count(r => r.Busy)),
            n => n.Processes >= 4 && n.Busy >= 1,
            "runner processes are running, one at least with a job",
            n => $"{n.Processes} running, {n.Busy} busy",
            TimeSpan.FromSeconds(90));

        var before = RunnerProcesses.Under(WorkRoot).Count;
        var stopped = (await serve.TerminateAsync(TimeSpan.FromSeconds(40))).Took;
        Assert.Equal(0, serve.ExitCode);
        await serve.DisposeAsync();
        var leftRunners = RunnerDirectories(RunnerProcesses.Under(WorkRoot));
        var left = leftRunners.Count;
        var busy = emulator.Runners().Count(r => r.Busy);
        // Idle and booting runners were ended; every runner left running has taken a job, which it finishes.
        var working = emulator.Jobs().Select(j => j.RunnerName).OfType<string>().ToHashSet(StringComparer.Ordinal);
        Assert.All(leftRunners, name => Assert.Contains(name, working));

        await using var restarted = await StartAsync(emulator);
        await LeaderAfterAsync(restarted);
        try
        {
            await SettledAsync(emulator, ids);
        }
        finally
        {
            output.WriteLine(serve.Output);
            output.WriteLine("---- restarted ----");
            output.WriteLine(restarted.Output);
        }

        var final = (await restarted.TerminateAsync(TimeSpan.FromSeconds(40))).Took;

        Assert.Equal(0, restarted.ExitCode);
        Assert.Empty(RunnerProcesses.Under(WorkRoot));
        Assert.Empty(emulator.Runners());
        output.WriteLine($"SIGTERM mid-burst: {before} runner processes before, exit 0 in {stopped.TotalSeconds:F1} s, {left} left running ({busy} busy at the forge); " +
            $"restart: {Jobs} jobs each run once, final SIGTERM exit 0 in {final.TotalSeconds:F1} s with 0 runner processes and 0 registrations left");
    }

    private string WorkRoot => _directory.File("runners");

    private static List<long> QueueBurst(GitHubEmulator emulator)
    {
        var ids = new List<long>();
        for (var n = 0; n < Jobs; n++)
        {
            ids.AddRange(emulator.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "linux"], TimeSpan.FromMilliseconds(2500 + (n * 211 % 2000)))));
        }

        return ids;
    }

    /// <summary>
    /// Every job of the burst ran exactly once and succeeded; no runner is busy, and every runner process left (at least
    /// the pool's idle ones) has its registration and the other way round: nothing orphaned on either side.
    /// </summary>
    private async Task SettledAsync(GitHubEmulator emulator, IReadOnlyList<long> ids)
    {
        await Eventually.ThatAsync(() => emulator.Jobs().Where(j => ids.Contains(j.Id)).ToList(), jobs => jobs.All(j => j.Status == "completed"), "every job of the burst completed", TestServe.Statuses, TimeSpan.FromSeconds(240));
        await Eventually.ThatAsync(
            () => (Processes: RunnerDirectories(RunnerProcesses.Under(WorkRoot)), Registrations: emulator.Runners().Select(r => r.Name).Order(StringComparer.Ordinal).ToList(), Busy: emulator.Runners().Count(r => r.Busy)),
            left => left.Busy == 0 && left.Processes.Count >= IdleRunners && left.Processes.SequenceEqual(left.Registrations),
            "the burst settled: no runner busy, each runner process registered and each registration a running process",
            left => $"processes of [{string.Join(", ", left.Processes)}], registrations [{string.Join(", ", left.Registrations)}] ({left.Busy} busy)",
            TimeSpan.FromSeconds(90));
        var jobs = emulator.Jobs().Where(j => ids.Contains(j.Id)).ToList();
        Assert.All(jobs, j => Assert.Equal(1, j.Takes));
        Assert.All(jobs, j => Assert.Equal("success", j.Conclusion));
        Assert.Equal(jobs.Count, jobs.Select(j => j.RunnerName).Distinct(StringComparer.Ordinal).Count());
    }

    /// <summary>The runner names (work directories) of <paramref name="pids"/>, sorted and distinct.</summary>
    private List<string> RunnerDirectories(IReadOnlyList<int> pids) =>
        [.. pids.Select(p => new DirectoryInfo($"/proc/{p.ToString(CultureInfo.InvariantCulture)}/cwd").LinkTarget)
            .Where(d => d is not null)
            .Select(d => Path.GetRelativePath(WorkRoot, d!).Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private static async Task<string> LeaderAfterAsync(ServeProcess serve)
    {
        using var http = new HttpClient { BaseAddress = serve.Url, Timeout = TimeSpan.FromSeconds(5) };
        var ready = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                ready = await response.Content.ReadAsStringAsync();
                return ready.Contains("leader", StringComparison.Ordinal) && !ready.Contains("follower", StringComparison.Ordinal);
            },
            "the replica leads",
            TimeSpan.FromSeconds(30),
            seen: () => ready);
        return ready.Trim();
    }

    private async Task<ServeProcess> StartAsync(GitHubEmulator emulator)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var config = _directory.File("fleet.yaml");
        File.WriteAllText(config, $$"""
            controllerId: drover
            forges:
              - name: github
                kind: github
                url: {{emulator.ApiUrl}}
                auth: { token: env:CRASH_E2E_GITHUB_TOKEN }
                webhookSecret: env:CRASH_E2E_WEBHOOK_SECRET
            providers:
              - name: local
                type: process
                settings:
                  command: dotnet "{{standIn}}"
                  workRoot: "{{WorkRoot}}"
                  maxConcurrent: 8
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: local
                max: 6
                idle: {{IdleRunners.ToString(CultureInfo.InvariantCulture)}}
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """);
        var serve = await ServeProcess.StartAsync(
            ["--config", config, "--store", "sqlite:" + Path.Combine(_directory.File("data"), "state.db"), "--urls", "http://127.0.0.1:0"],
            new Dictionary<string, string> { ["CRASH_E2E_GITHUB_TOKEN"] = Token, ["CRASH_E2E_WEBHOOK_SECRET"] = Secret },
            _directory.File($"serve-{++_starts}.log"),
            TimeSpan.FromSeconds(60));
        emulator.Webhooks.Target = new Uri(serve.Url!, "/webhooks/github/github");
        emulator.Webhooks.Secret = Secret;
        return serve;
    }
}
