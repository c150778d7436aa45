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
        var directory = Directory.CreateTempSubdirectory("drover-process-loop-").FullName;
        var workRoot = Path.Combine(directory, "runners");
        var fleet = $$"""
            controllerId: t
            forges:
              - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
            providers:
              - name: local
                type: process
                settings:
                  command: /bin/sh -c 'echo "$ACTIONS_RUNNER_INPUT_JITCONFIG" > registered; while [ ! -f done ]; do sleep 0.05; done; echo "job done"'
                  workRoot: {{workRoot}}
                  maxConcurrent: 5
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: local, max: 10 }
            """;
        var loaded = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies)).LoadFromString(fleet, "fleet.yaml");
        var config = loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        var time = ProviderHarness.FakeTime();
        var logs = new ListLogger();
        var vault = new RunnerCredentialVault();
        var provider = (ProcessProvider)ProcessProviderFactory.Create(config.Providers[0], new AdapterContext(config, vault, time, logs));
        var forge = new MarkerForge("github", provider, workRoot, time);
        using var metrics = new EngineMetrics();
        var store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(directory, "state.db"), CancellationToken.None);
        var pids = new List<int>();
        try
        {
            var loop = new ControlLoop(
                config, store, new EngineAdapters([provider], [forge]), time, logs, metrics,
                new ControlLoopOptions { Calls = new CallResilienceOptions { MaxRetryAttempts = 0 }, ForgeListStaleLimit = TimeSpan.Zero }, vault: vault);
            var jobs = Enumerable.Range(1, 3).Select(i => new JobKey("github", $"job-{i}")).ToList();
            foreach (var job in jobs)
            {
                loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = time.GetUtcNow(), Labels = ["linux"], Scope = "acme/app" });
            }

            await loop.RunCycleAsync(CancellationToken.None);

            var runners = await store.ListRunnersAsync("linux", null, CancellationToken.None);
            Assert.Equal(3, runners.Count);
            Assert.All(runners, r => Assert.Equal(RunnerState.Provisioning, r.State));
            var instances = await provider.ListAsync(CancellationToken.None);
            Assert.Equal(runners.Select(r => r.Id).Order(), instances.Select(i => i.InstanceId).Order());
            pids.AddRange(instances.Select(i => provider.ProcessId(i.InstanceId)!.Value));
            Assert.Equal(0, vault.Count);

            // Each process registers with the credential minted for it; the forge then reports it busy with its job.
            foreach (var runner in runners)
            {
                var registered = Path.Combine(workRoot, runner.Id, "registered");
                await Processes.WaitForFileAsync(registered);
                Assert.Equal(forge.Minted[runner.Id], File.ReadAllText(registered).Trim());
            }

            time.Advance(TimeSpan.FromSeconds(20));
            for (var i = 0; i < jobs.Count; i++)
            {
                loop.Ingest(new JobEvent { Key = jobs[i], Kind = JobEventKind.Started, At = time.GetUtcNow(), RunnerName = runners[i].Id });
            }

            await loop.RunCycleAsync(CancellationToken.None);
            Assert.All(await store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Busy, r.State));

            // The jobs finish and the ephemeral runners exit on their own.
            foreach (var runner in runners)
            {
                File.WriteAllText(Path.Combine(workRoot, runner.Id, "done"), "1");
            }

            await Eventually.ThatAsync(() => provider.RecentExits.Count, exits => exits == 3, "every runner process has exited", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
            time.Advance(TimeSpan.FromMinutes(1));
            foreach (var job in jobs)
            {
                loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Completed, At = time.GetUtcNow() });
            }

            var plan = await loop.RunCycleAsync(CancellationToken.None);

            Assert.All(await store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Gone, r.State));
            Assert.Empty(plan.Actions);
            Assert.Empty(await provider.ListAsync(CancellationToken.None));
            Assert.All(provider.RecentExits, e => Assert.Equal(0, e.ExitCode));
            Assert.All(pids, p => Assert.False(Processes.IsAlive(p)));
            Assert.All(runners, r => Assert.False(Directory.Exists(Path.Combine(workRoot, r.Id))));
            var secrets = forge.Minted.Values.ToList();
            Assert.All(logs.Messages, m => Assert.DoesNotContain(secrets, s => m.Contains(s, StringComparison.Ordinal)));
            Assert.Contains(logs.Messages, m => m.Contains($"{runners[0].Id} exited with code 0", StringComparison.Ordinal));
        }
        finally
        {
            await provider.DisposeAsync();
            await store.DisposeAsync();
            await Eventually.TrueAsync(() => pids.All(p => !Processes.IsAlive(p)), "no runner process is left", TimeSpan.FromSeconds(10), seen: () => "alive: " + string.Join(", ", pids.Where(Processes.IsAlive)));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may still be closing.
            }
        }
    }

    [Fact]
    public async Task RunnerProcessKilledBySigkillUnderItsJob_ExactlyOneRerun_AJobFailingOnItsOwnNone()
    {
        var directory = Directory.CreateTempSubdirectory("drover-process-rerun-").FullName;
        var workRoot = Path.Combine(directory, "runners");
        var fleet = $$"""
            controllerId: t
            forges:
              - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
            providers:
              - name: local
                type: process
                settings:
                  command: /bin/sh -c 'echo "$ACTIONS_RUNNER_INPUT_JITCONFIG" > registered; while [ ! -f done ]; do sleep 0.05; done; exit $(cat done)'
                  workRoot: {{workRoot}}
                  maxConcurrent: 5
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: local, max: 10 }
            """;
        var loaded = new FleetConfigLoader(FleetConfigValidationOptions.ForPolicies(PolicyRegistry.CreateDefault().Policies)).LoadFromString(fleet, "fleet.yaml");
        var config = loaded.Config ?? throw new InvalidOperationException(string.Join("\n", loaded.Errors));
        var time = ProviderHarness.FakeTime();
        var logs = new ListLogger();
        var vault = new RunnerCredentialVault();
        var provider = (ProcessProvider)ProcessProviderFactory.Create(config.Providers[0], new AdapterContext(config, vault, time, logs));
        var forge = new MarkerForge("github", provider, workRoot, time);
        using var metrics = new EngineMetrics();
        var store = await StateStoreFactory.OpenAsync("sqlite:" + Path.Combine(directory, "state.db"), CancellationToken.None);
        var pids = new List<int>();
        try
        {
            var loop = new ControlLoop(
                config, store, new EngineAdapters([provider], [forge]), time, logs, metrics,
                new ControlLoopOptions { Calls = new CallResilienceOptions { MaxRetryAttempts = 0 }, ForgeListStaleLimit = TimeSpan.Zero }, vault: vault);
            var killed = new JobKey("github", "job-1");
            var failing = new JobKey("github", "job-2");
            foreach (var job in new[] { killed, failing })
            {
                loop.Ingest(new JobEvent { Key = job, Kind = JobEventKind.Queued, At = time.GetUtcNow(), Labels = ["linux"], Scope = "acme/app" });
            }

            await loop.RunCycleAsync(CancellationToken.None);
            var runners = (await store.ListRunnersAsync("linux", null, CancellationToken.None)).OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            Assert.Equal(2, runners.Count);
            pids.AddRange(runners.Select(r => provider.ProcessId(r.Id)!.Value));
            foreach (var runner in runners)
            {
                await Processes.WaitForFileAsync(Path.Combine(workRoot, runner.Id, "registered"));
            }

            time.Advance(TimeSpan.FromSeconds(20));
            loop.Ingest(new JobEvent { Key = killed, Kind = JobEventKind.Started, At = time.GetUtcNow(), RunnerName = runners[0].Id });
            loop.Ingest(new JobEvent { Key = failing, Kind = JobEventKind.Started, At = time.GetUtcNow(), RunnerName = runners[1].Id });
            await loop.RunCycleAsync(CancellationToken.None);
            Assert.All(await store.ListRunnersAsync("linux", null, CancellationToken.None), r => Assert.Equal(RunnerState.Busy, r.State));

            // One runner's process is killed from outside (the OOM killer, a host going away); the other's job fails on its own.
            System.Diagnostics.Process.GetProcessById(pids[0]).Kill();
            File.WriteAllText(Path.Combine(workRoot, runners[1].Id, "done"), "1");
            await Eventually.ThatAsync(() => provider.RecentExits.Count, exits => exits == 2, "both runner processes have ended", exits => $"{exits} exit(s)", TimeSpan.FromSeconds(15));
            time.Advance(TimeSpan.FromSeconds(5));
            loop.Ingest(new JobEvent { Key = failing, Kind = JobEventKind.Completed, At = time.GetUtcNow() });
            for (var i = 0; i < 4; i++)
            {
                await loop.RunCycleAsync(CancellationToken.None);
                time.Advance(TimeSpan.FromMinutes(1));
            }

            Assert.Equal([killed], forge.Reruns);
            Assert.Equal(137, provider.RecentExits.Single(e => e.RunnerName == runners[0].Id).ExitCode);
            var rerun = Assert.Single(await store.ListJobRerunsAsync(null, CancellationToken.None));
            Assert.Equal((killed, JobRerunState.Requested, runners[0].Id), (rerun.Job, rerun.State, rerun.RunnerId));
            Assert.Contains("SIGKILL", rerun.Reason, StringComparison.Ordinal);
            Assert.Empty(await provider.ListAsync(CancellationToken.None));
        }
        finally
        {
            await provider.DisposeAsync();
            await store.DisposeAsync();
            await Eventually.TrueAsync(() => pids.All(p => !Processes.IsAlive(p)), "no runner process is left", TimeSpan.FromSeconds(10), seen: () => "alive: " + string.Join(", ", pids.Where(Processes.IsAlive)));
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
                // A pooled SQLite handle may still be closing.
            }
        }
    }
}
