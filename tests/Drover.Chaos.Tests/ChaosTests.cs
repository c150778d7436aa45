using System.Globalization;
using Drover.Testing.GitHub;
using Drover.Testing.Postgres;
using Xunit.Abstractions;

namespace Drover.Chaos.Tests;

/// <summary>
/// Crash-safety under chaos: a real <c>drover serve</c> process with the process provider (or the kubernetes provider
/// against the Kubernetes emulator with API faults), killed (SIGKILL) and stopped
/// (SIGTERM) at seeded points of a burst, with forge faults and webhook loss, duplication and reordering; then the
/// invariants (<see cref="ChaosInvariants"/>). CI runs one fixed-seed run with 3 kill points; <c>DROVER_CHAOS_RUNS=N</c>
/// runs the long form instead: N runs (seeds 1..N) of 60 jobs with 20 kill points each (docs/reliability.md).
/// </summary>
[Collection(ChaosCollection.Name)]
public sealed class ChaosTests(ITestOutputHelper output)
{
    /// <summary>The CI slice's seed.</summary>
    private const int CiSeed = 7;

    /// <summary>The kubernetes CI slice's seed.</summary>
    private const int KubernetesCiSeed = 23;

    [Fact]
    public async Task Serve_KilledAndStoppedDuringABurst_NoJobLostOrRunTwice_NothingLeftBehind()
    {
        var runs = LongRuns();
        var options = runs is { } n
            ? Enumerable.Range(1, n).Select(ChaosOptions.Long).ToList()
            : [ChaosOptions.Ci(CiSeed)];
        var failed = new List<string>();
        foreach (var option in options)
        {
            await using var run = new ChaosRun(option, output.WriteLine);
            var report = await run.RunAsync();
            output.WriteLine(report.Describe());
            if (report.Violations.Count > 0)
            {
                failed.Add(report.Describe());
            }
        }

        Assert.True(failed.Count == 0, $"{failed.Count} of {options.Count} chaos run(s) broke invariants:\n{string.Join("\n", failed)}");
    }

    [Fact]
    public async Task Serve_KubernetesProviderUnderFaults_NoJobLostOrRunTwice_NothingLeftBehind()
    {
        // The kubernetes provider against the Kubernetes emulator, 30% of its API calls faulted (5xx, 429 with
        // Retry-After, 2 s hangs, creates and deletes carried out with the answer lost, watches cut), with the forge
        // faults and webhook loss of the process runs, SIGKILL and SIGTERM kill points (pods outlive the server and are
        // left for the next leader) and a pod evicted under its job, whose job is to be re-run once.
        // DROVER_CHAOS_RUNS=N: N long runs (seeds 201..200+N): 60 jobs, 20 kill points, 3 spot interruptions.
        var runs = LongRuns();
        var options = runs is { } n
            ? Enumerable.Range(1, n).Select(seed => ChaosOptions.KubernetesLong(200 + seed)).ToList()
            : [ChaosOptions.KubernetesCi(KubernetesCiSeed)];
        var failed = new List<string>();
        foreach (var option in options)
        {
            await using var run = new ChaosRun(option, output.WriteLine);
            var report = await run.RunAsync();
            output.WriteLine(report.Describe());
            Assert.True(report.ProviderFaultsInjected.Values.Sum() > 0, "no provider API fault was injected; the run tests nothing");
            if (report.Violations.Count > 0)
            {
                failed.Add(report.Describe());
            }
        }

        Assert.True(failed.Count == 0, $"{failed.Count} of {options.Count} chaos run(s) on the kubernetes provider broke invariants:\n{string.Join("\n", failed)}");
    }

    [Fact]
    public async Task Serve_ThirtyPercentOfMintAnswersLost_NoRegistrationLeakedOnceTheBurstSettles()
    {
        // Every generate-jitconfig has a 30% chance of being carried out with its answer lost (a 5xx after the mint). The
        // orphan grace period is the default 10 minutes, so only Drover's own handling of the lost answer can clean up:
        // nothing may be left 45 s (a 30 s resync and a margin) after every job completed.
        var options = new ChaosOptions
        {
            Seed = 11,
            Jobs = 15,
            KillPoints = 0,
            BurstLength = TimeSpan.FromSeconds(6),
            ForgeFaultRate = 0.3,
            ForgeFaults = RandomFault.LostAnswer,
            ForgeFaultPaths = "/generate-jitconfig",
            WebhookLoss = 0,
            WebhookDuplication = 0,
            WebhookReordering = 0,
            OrphanGrace = TimeSpan.FromMinutes(10),
            SettleWindow = TimeSpan.FromSeconds(45),
        };
        await using var run = new ChaosRun(options, output.WriteLine);
        var report = await run.RunAsync();
        output.WriteLine(report.Describe());

        Assert.True(report.FaultsInjected.GetValueOrDefault(nameof(RandomFault.LostAnswer)) > 0, "the seed lost no mint answer; the test tests nothing");
        Assert.True(report.Violations.Count == 0, report.Describe());
    }

    [Fact]
    public async Task Serve_RunnerKilledUnderItsJob_TheJobIsReRunExactlyOnce()
    {
        // A spot interruption: the runner's process is SIGKILLed while its job runs and GitHub fails the job. Drover is
        // to ask GitHub to re-run it (POST /repos/{o}/{r}/actions/jobs/{id}/rerun) once, and the re-run is served once.
        var options = new ChaosOptions
        {
            Seed = 13,
            Jobs = 4,
            KillPoints = 0,
            SpotInterruptions = 1,
            BurstLength = TimeSpan.FromSeconds(2),
            ForgeFaultRate = 0,
            WebhookLoss = 0,
            WebhookDuplication = 0,
            WebhookReordering = 0,
            CompleteWithin = TimeSpan.FromSeconds(30),
            SettleWindow = TimeSpan.FromSeconds(35),
        };
        await using var run = new ChaosRun(options, output.WriteLine);
        var report = await run.RunAsync();
        output.WriteLine(report.Describe());

        Assert.True(report.Interrupted.Count == 1, "no job ran to be interrupted; the test tests nothing");
        Assert.True(report.Violations.Count == 0, report.Describe());
    }

    [PostgresFact]
    public async Task Serve_TwoReplicasOnPostgres_PostgresRestartedMidBurst_NoJobLostOrRunTwice_NothingLeftBehind()
    {
        // HA: two serve processes share a PostgreSQL store; PostgreSQL is restarted (immediate stop, crash recovery)
        // while jobs are queued and running. CI: 10 jobs, 1 restart, webhooks duplicated and reordered but not lost;
        // DROVER_CHAOS_RUNS=N: N runs of 40 jobs with 5 restarts, 30% forge faults and 20% webhook loss.
        var runs = LongRuns();
        var options = runs is { } n
            ? Enumerable.Range(1, n).Select(seed => new ChaosOptions
            {
                Seed = 100 + seed, Replicas = 2, Postgres = true, KillPoints = 0, PostgresRestarts = 5, Jobs = 40,
                BurstLength = TimeSpan.FromSeconds(40), CompleteWithin = TimeSpan.FromSeconds(300),
            }).ToList()
            :
            [
                new ChaosOptions
                {
                    Seed = 17, Replicas = 2, Postgres = true, KillPoints = 0, PostgresRestarts = 1, FirstPhase = 3, Jobs = 10,
                    BurstLength = TimeSpan.FromSeconds(6), ForgeFaultRate = 0, WebhookLoss = 0, CompleteWithin = TimeSpan.FromSeconds(60),
                },
            ];
        var failed = new List<string>();
        foreach (var option in options)
        {
            await using var run = new ChaosRun(option, output.WriteLine);
            var report = await run.RunAsync();
            output.WriteLine(report.Describe());
            if (report.Violations.Count > 0)
            {
                failed.Add(report.Describe());
            }
        }

        Assert.True(failed.Count == 0, $"{failed.Count} of {options.Count} chaos run(s) on PostgreSQL broke invariants:\n{string.Join("\n", failed)}");
    }

    /// <summary><c>DROVER_CHAOS_RUNS</c>: the number of long-form runs, or null for the CI slice.</summary>
    private static int? LongRuns() =>
        int.TryParse(Environment.GetEnvironmentVariable("DROVER_CHAOS_RUNS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
}

/// <summary>Chaos runs one at a time: each starts real processes and measures time on a shared 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ChaosCollection
{
    public const string Name = "chaos";
}
