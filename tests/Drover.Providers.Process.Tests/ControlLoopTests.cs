using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Policies;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.Engine.Metrics;
using Drover.Providers.Process.Tests.Support;
using Drover.Storage;
using Drover.Testing;

namespace Drover.Providers.Process.Tests;

/// <summary>The real control loop, a SQLite store and the process provider starting real child processes.</summary>
public sealed class ControlLoopTests
{
    [Fact]
    public async Task RunCycle_QueuedJobs_StartProcessesThatRegisterRunAndExitUntilNoneIsLeft()
    {
        await using var rig = await LoopRig.StartAsync("drover-process-loop-", """/bin/sh -c 'echo "$ACTIONS_RUNNER_INPUT_JITCONFIG" > registered; while [ ! -f done ]; do sleep 0.05; done; echo "job done"'""");
        var jobs = Enumerable.Range(1, 3).Select(i => new JobKey("github", $"job-{i}")).ToList();
        foreach (var job in jobs)
        {
            rig.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = rig.Time.GetUtcNow(), Labels = ["linux"], Scope = "acme/app" });
        }

        await rig.Loop.RunCycleAsync(CancellationToken.None);

        var runners = await rig.Store.ListRunnersAsync("linux", null, CancellationToken.None);
        Assert.Equal(3, runners.Count);
        Assert.All(runners, r => Assert.Equal(RunnerState.Provisioning, r.State));
        var instances = await rig.Provider.ListAsync(CancellationToken.None);
        Assert.Equal(runners.Select(r => r.Id).Order(), instances.Select(i => i.InstanceId).Order());
        rig.Pids.AddRange(instances.Select(i => rig.Provider.ProcessId(i.InstanceId)!.Value));
        Assert.Equal(0, rig.Vault.Count);

        // Each process registers with the credential minted for it; the forge then reports it busy with its job.
        foreach (var runner in runners)
        {
            var registered = Path.Combine(rig.WorkRoot, runner.Id, "registered");
            await Processes.WaitForFileAsync(registered);
            Assert.Equal(rig.Forge.Minted[runner.Id], File.ReadAllText(registered).Trim());
        }

        rig.Time.Advance(TimeSpan.FromSeconds(20));
        for (var i = 0; i < jobs.Count; i++)
        {
            rig.Loop.Ingest(new JobEvent { Key = jobs[i], Kind = JobEventKind.Started, At = rig.Time.GetUtcNow(), RunnerName = runners[i].Id });
        }

        await rig.Loop.RunCycleAsync(CancellationToken.None);
        Assert.All(await rig.Store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Busy, r.State));

        // The jobs finish and the ephemeral runners exit on their own.
        foreach (var runner in runners)
        {
            File.WriteAllText(Path.Combine(rig.WorkRoot, runner.Id, "done"), "1");
        }

        await Eventually.ThatAsync(() => rig.Provider.RecentExits.Count, exits => exits == 3, "every runner process has exited", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
        rig.Time.Advance(TimeSpan.FromMinutes(1));
        foreach (var job in jobs)
        {
            rig.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = rig.Time.GetUtcNow() });
        }

        var plan = await rig.Loop.RunCycleAsync(CancellationToken.None);

        Assert.All(await rig.Store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Gone, r.State));
        Assert.Empty(plan.Actions);
        Assert.Empty(await rig.Provider.ListAsync(CancellationToken.None));
        Assert.All(rig.Provider.RecentExits, e => Assert.Equal(0, e.ExitCode));
        Assert.All(rig.Pids, p => Assert.False(Processes.IsAlive(p)));
        Assert.All(runners, r => Assert.False(Directory.Exists(Path.Combine(rig.WorkRoot, r.Id))));
        var secrets = rig.Forge.Minted.Values.ToList();
        Assert.All(rig.Logs.Messages, m => Assert.DoesNotContain(secrets, s => m.Contains(s, StringComparison.Ordinal)));
        Assert.Contains(rig.Logs.Messages, m => m.Contains($"{runners[0].Id} exited with code 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunnerProcessKilledBySigkillUnderItsJob_ExactlyOneRerun_AJobFailingOnItsOwnNone()
    {
        await using var rig = await LoopRig.StartAsync("drover-process-rerun-", """/bin/sh -c 'echo "$ACTIONS_RUNNER_INPUT_JITCONFIG" > registered; while [ ! -f done ]; do sleep 0.05; done; exit $(cat done)'""");
        var killed = new JobKey("github", "job-1");
        var failing = new JobKey("github", "job-2");
        foreach (var job in new[] { killed, failing })
        {
            rig.Loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = rig.Time.GetUtcNow(), Labels = ["linux"], Scope = "acme/app" });
        }

        await rig.Loop.RunCycleAsync(CancellationToken.None);
        var runners = (await rig.Store.ListRunnersAsync("linux", null, CancellationToken.None)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
        Assert.Equal(2, runners.Count);
        rig.Pids.AddRange(runners.Select(r => rig.Provider.ProcessId(r.Id)!.Value));
        foreach (var runner in runners)
        {
            await Processes.WaitForFileAsync(Path.Combine(rig.WorkRoot, runner.Id, "registered"));
        }

        rig.Time.Advance(TimeSpan.FromSeconds(20));
        rig.Loop.Ingest(new JobEvent { Key = killed, Kind = JobEventKind.Started, At = rig.Time.GetUtcNow(), RunnerName = runners[0].Id });
        rig.Loop.Ingest(new JobEvent { Key = failing, Kind = JobEventKind.Started, At = rig.Time.GetUtcNow(), RunnerName = runners[1].Id });
        await rig.Loop.RunCycleAsync(CancellationToken.None);
        Assert.All(await rig.Store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Busy, r.State));

        // One runner's process is killed from outside (the OOM killer, a host going away); the other's job fails on its own.
        System.Diagnostics.Process.GetProcessById(rig.Pids[0]).Kill();
        File.WriteAllText(Path.Combine(rig.WorkRoot, runners[1].Id, "done"), "1");
        await Eventually.ThatAsync(() => rig.Provider.RecentExits.Count, exits => exits == 2, "both runner processes have ended", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
        rig.Time.Advance(TimeSpan.FromSeconds(5));
        rig.Loop.Ingest(new JobEvent { Key = failing, Kind = JobEventKind.Completed, At = rig.Time.GetUtcNow() });
        for (var i = 0; i < 4; i++)
        {
            await rig.Loop.RunCycleAsync(CancellationToken.None);
            rig.Time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal([killed], rig.Forge.Reruns);
        Assert.Equal(137, rig.Provider.RecentExits.Single(e => e.RunnerName == runners[0].Id).ExitCode);
        var rerun = Assert.Single(await rig.Store.ListJobRerunsAsync(null, CancellationToken.None));
        Assert.Equal((killed, JobRerunState.Requested, runners[0].Id), (rerun.Job, rerun.State, rerun.RunnerId));
        Assert.Contains("SIGKILL", rerun.Reason, StringComparison.Ordinal);
        Assert.Empty(await rig.Provider.ListAsync(CancellationToken.None));
    }

    /// <summary>
    /// The real control loop over a SQLite store in a temporary directory, with the process provider running
    /// <c>command</c> for each runner and a forge that mints a marker credential; disposing ends every runner process.
    /// </summary>
    private sealed class LoopRig : IAsyncDisposable
    {
        private LoopRig(string directory, string workRoot)
        {
            Directory = directory;
            WorkRoot = workRoot;
        }

        public string Directory { get; }

        public string WorkRoot { get; }

        public Microsoft.Extensions.Time.Testing.FakeTimeProvider Time { get; } = ProviderHarness.FakeTime();

        public ListLogger Logs { get; } = new();

        public RunnerCredentialVault Vault { get; } = new();

        public EngineMetrics Metrics { get; } = new();

        /// <summary>Process ids of the runners the test saw started, checked gone at dispose.</summary>
        public List<int> Pids { get; } = [];

        public ProcessProvider Provider { get; private set; } = null!;

        public MarkerForge Forge { get; private set; } = null!;

        public IStateStore Store { get; private set; } = null!;

        public ControlLoop Loop { get; private set; } = null!;

        public static async Task<LoopRig> StartAsync(string prefix, string command)
        {
            var directory = System.IO.Directory.CreateTempSubdirectory(prefix).FullName;
            var rig = new LoopRig(directory, Path.Combine(directory, "runners"));
            var fleet = $$"""
                controllerId: t
                forges:
                  - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
                providers:
                  - name: local
                    type: process
                    settings:
                      command: {{command}}
                      workRoot: {{rig.WorkRoot}}
                      maxConcurrent: 5
                pools:
                  - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: local, max: 10 }
                """;
            var loaded = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies)).LoadFromString(fleet, "fleet.yaml");
            var config = loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
            rig.Provider = (ProcessProvider)ProcessProviderFactory.Create(config.Providers[0], new AdapterContext(config, rig.Vault, rig.Time, rig.Logs));
            rig.Forge = new MarkerForge("github", rig.Provider, rig.WorkRoot, rig.Time);
            rig.Store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(directory, "state.db"), CancellationToken.None);
            rig.Loop = new ControlLoop(
                config, rig.Store, new EngineAdapters([rig.Provider], [rig.Forge]), rig.Time, rig.Logs, rig.Metrics,
                new ControlLoopOptions { Calls = new CallResilienceOptions { MaxRetryAttempts = 0 }, ForgeListStaleLimit = TimeSpan.Zero }, vault: rig.Vault);
            return rig;
        }

        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            await Store.DisposeAsync();
            Metrics.Dispose();
            await Eventually.TrueAsync(() => Pids.All(p => !Processes.IsAlive(p)), "no runner process is left", TimeSpan.FromSeconds(10), seen: () => "alive: " + string.Join(", ", Pids.Where(Processes.IsAlive)));
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may still be closing.
            }
        }
    }
}
