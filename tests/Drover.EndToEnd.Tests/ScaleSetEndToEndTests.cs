using System.Globalization;
using Drover.EndToEnd.Tests.Support;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Serve;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// Two <c>drover serve</c> replicas (one SQLite store) with two GitHub scale-set pools on the <c>process</c> provider and
/// the stand-in runner, against the emulated Actions service, with no webhook configured and no polling: jobs arrive in
/// bursts for both scale sets (one of them with several labels); the leader is killed (SIGKILL) mid-run and the follower
/// holds both sessions within the lease; every job runs once, on a runner made from its own scale set's JIT config; after
/// the survivor's SIGTERM no session is left at GitHub.
/// Bounded: <see cref="DefaultJobs"/> jobs (about a minute here); <c>DROVER_E2E_SCALESET_JOBS=200</c> runs the long form.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class ScaleSetEndToEndTests(ITestOutputHelper output) : IDisposable
{
    /// <summary>Jobs of the bounded form.</summary>
    public const int DefaultJobs = 40;
    private const string Token = "ghp_scaleset_e2e";
    private readonly TempDirectory _directory = new("drover-scaleset-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_JobsInBurstsOverTwoScaleSets_LeaderKilledMidRun_FollowerTakesTheSessions_EveryJobRunsOnceOnItsSetsRunner()
    {
        var total = int.TryParse(Environment.GetEnvironmentVariable("DROVER_E2E_SCALESET_JOBS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultJobs;
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions
        {
            Tokens = [Token],
            ScaleSetPollWindow = TimeSpan.FromSeconds(2),
            ScaleSetSessionIdleTimeout = TimeSpan.FromSeconds(3),
        });
        var started = TimeProvider.System.GetTimestamp();
        var a = await StartAsync(emulator, "replica-a");
        ServeProcess? b = null;
        try
        {
            await LeadsAsync(a);
            b = await StartAsync(emulator, "replica-b");
            await Eventually.ThatAsync(() => emulator.ScaleSets(), sets => sets.Count == 2 && sets.All(s => s.Session is not null), "both scale sets registered with a session", Sets);
            var linux = emulator.ScaleSets().Single(s => s.Name == "linux-set");
            var gpu = emulator.ScaleSets().Single(s => s.Name == "gpu-set");
            Assert.Equal(["gpu-set", "gpu", "linux"], gpu.Labels);

            var ids = new List<long>();
            const int Bursts = 5;
            for (var burst = 0; burst < Bursts; burst++)
            {
                for (var i = 0; i < total / Bursts; i++)
                {
                    var k = (burst * (total / Bursts)) + i;
                    var duration = TimeSpan.FromMilliseconds(200 + (k * 137 % 600));
                    ids.AddRange(k % 3 == 0
                        ? emulator.QueueRun("acme/web", ($"gpu-{k}", ["self-hosted", "gpu-set", "gpu"], duration))
                        : emulator.QueueRun("acme/api", ($"build-{k}", ["linux-set"], duration)));
                }

                if (burst == 2)
                {
                    // Mid-run: the leader dies without a word; its sessions stay open at GitHub until they expire.
                    await Eventually.TrueAsync(() => emulator.Jobs().Count(j => j.Status == "completed") >= total / 5, "a fifth of the jobs done", TimeSpan.FromSeconds(60));
                    var killedAt = TimeProvider.System.GetTimestamp();
                    await a.KillAsync();
                    await Eventually.ThatAsync(() => emulator.ScaleSets(), sets => sets.All(s => s.SessionOwners.Count == 2 && s.Session is not null), "the follower holding both sessions", Sets, TimeSpan.FromSeconds(40));
                    var handover = TimeProvider.System.GetElapsedTime(killedAt);
                    output.WriteLine($"sessions held by the follower {handover.TotalSeconds:F1} s after the leader was killed (lease 15 s, session expiry 3 s)");
                    Assert.True(handover < TimeSpan.FromSeconds(25), $"handover took {handover.TotalSeconds:F1} s");
                }

                await Task.Delay(500);
            }

            await Eventually.ThatAsync(() => emulator.Jobs().Where(j => ids.Contains(j.Id)).ToList(), jobs => jobs.All(j => j.Status == "completed"), "every job completed", TestServe.Statuses, TimeSpan.FromSeconds(120));
            var jobs = emulator.Jobs().Where(j => ids.Contains(j.Id)).ToList();
            Assert.Equal(total / Bursts * Bursts, jobs.Count);
            Assert.All(jobs, j => Assert.Equal(1, j.Takes));
            Assert.All(jobs, j => Assert.Equal("success", j.Conclusion));
            Assert.All(jobs, j => Assert.Equal(j.Labels.Contains("gpu-set") ? gpu.Id : linux.Id, j.ScaleSetId));
            Assert.All(jobs, j => Assert.Equal(j.ScaleSetId, j.RunnerScaleSetId));
            Assert.Equal(jobs.Count, jobs.Select(j => j.RunnerName).Distinct(StringComparer.Ordinal).Count());

            var stop = await b.TerminateAsync(TimeSpan.FromSeconds(40));
            Assert.Equal(0, b.ExitCode);
            Assert.All(emulator.ScaleSets(), s => Assert.Null(s.Session));
            Assert.DoesNotContain(emulator.Requests, r => r.Contains("/actions/runs", StringComparison.Ordinal));
            output.WriteLine($"{jobs.Count} jobs over 2 scale sets, each run once on a runner of its set, in {TimeProvider.System.GetElapsedTime(started).TotalSeconds:F1} s; " +
                $"{emulator.Minted.Count} runners minted; SIGTERM exit 0 in {stop.Took.TotalSeconds:F1} s with no session left; REST calls {emulator.Requests.Count}, Actions service calls {emulator.ActionsRequests.Count}");
        }
        catch
        {
            output.WriteLine(a.Output);
            output.WriteLine("---- replica b ----");
            output.WriteLine(b?.Output ?? "(not started)");
            throw;
        }
        finally
        {
            await a.DisposeAsync();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }
    }

    private static string Sets(IReadOnlyList<EmulatedScaleSet> sets) =>
        string.Join("; ", sets.Select(s => $"{s.Name}: session {(s.Session is null ? "none" : "open")}, {s.SessionOwners.Count} opened"));

    private static async Task LeadsAsync(ServeProcess serve)
    {
        using var http = new HttpClient { BaseAddress = serve.Url, Timeout = TimeSpan.FromSeconds(5) };
        var ready = string.Empty;
        await Eventually.TrueAsync(
            async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                    ready = await response.Content.ReadAsStringAsync();
                    return ready.Contains("leader", StringComparison.Ordinal) && !ready.Contains("follower", StringComparison.Ordinal);
                }
                catch (HttpRequestException e)
                {
                    ready = e.Message;
                    return false;
                }
                catch (TaskCanceledException)
                {
                    ready = "no answer within 5 s";
                    return false;
                }
            },
            "the replica leads",
            TimeSpan.FromSeconds(30),
            seen: () => ready);
    }

    private async Task<ServeProcess> StartAsync(GitHubEmulator emulator, string replica)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var config = _directory.File("fleet.yaml");
        File.WriteAllText(config, $$"""
            controllerId: drover
            forges:
              - name: github
                kind: github
                url: {{emulator.ApiUrl}}
                auth: { token: env:SCALESET_E2E_GITHUB_TOKEN }
            providers:
              - name: local
                type: process
                settings:
                  command: dotnet "{{standIn}}"
                  workRoot: "{{_directory.File("runners")}}"
                  maxConcurrent: 12
            pools:
              - name: linux
                forge: github
                scope: { org: acme }
                labels: [linux-set]
                github: { scaleSet: { name: linux-set } }
                provider: local
                max: 6
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
              - name: gpu
                forge: github
                scope: { org: acme }
                labels: [gpu-set, gpu, linux]
                github: { scaleSet: { name: gpu-set } }
                provider: local
                max: 6
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """);
        return await ServeProcess.StartAsync(
            ["--config", config, "--store", "sqlite:" + Path.Combine(_directory.File("data"), "state.db"), "--urls", "http://127.0.0.1:0", "--replica-id", replica],
            new Dictionary<string, string> { ["SCALESET_E2E_GITHUB_TOKEN"] = Token },
            _directory.File($"serve-{replica}.log"),
            TimeSpan.FromSeconds(60));
    }
}
