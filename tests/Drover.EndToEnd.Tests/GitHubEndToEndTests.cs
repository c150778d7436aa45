using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Ports;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.EndToEnd.Tests.Support;
using Drover.Forges.GitHub;
using Drover.Server.Hosting;
using Drover.Testing;
using Drover.Testing.GitHub;
using Drover.Testing.Modules;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> in-process with the GitHub forge against the emulator, and a provider whose instances are
/// stand-in runners: bursts of jobs with mixed labels arrive as signed webhooks; every job a pool can take runs on its
/// own ephemeral runner, once; the pools go back to nothing; the job no pool can take is reported as unmatched.
/// Bounded: each scenario gives up after 90 s.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class GitHubEndToEndTests(ITestOutputHelper output) : IDisposable
{
    internal const string Secret = "e2e-webhook-secret";
    internal const string Token = "ghp_e2e_token";
    private readonly TempDirectory _directory = new("drover-github-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public Task Serve_FiftyJobsInBursts_EveryMatchableJobRunsOnceOnItsOwnRunner_PoolsBackToIdle() =>
        RunScenarioAsync(dropRate: 0, duplicateRate: 0);

    [Fact]
    public Task Serve_TenPercentOfWebhooksLostFivePercentDuplicated_PollingCatchesUp_NoJobRunsTwice() =>
        RunScenarioAsync(dropRate: 0.10, duplicateRate: 0.05);

    /// <remarks>
    /// Slower than with webhooks by the poll interval. An ephemeral runner that registers, runs its job and exits
    /// between two cycles is never seen registered; the engine ends it from the ledger (the job names it), so the
    /// fleet keeps the default boot timeouts.
    /// </remarks>
    [Fact]
    public Task Serve_PollingOnlyForgeWithoutWebhookSecret_EveryMatchableJobStillRunsOnce() =>
        RunScenarioAsync(dropRate: 0, duplicateRate: 0, webhooks: false);

    [Fact]
    public async Task Serve_ForgedUnsignedAndOversizedWebhooks_RefusedAndNothingStored()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token] });
        var provider = (StandInProvider?)null;
        await using var app = await StartServerAsync(emulator, _directory.Path, p => provider = p, polling: false);
        var target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        var store = app.Services.GetRequiredService<IStateStore>();
        var body = Encoding.UTF8.GetBytes("""{"action":"queued","workflow_job":{"id":1,"run_id":1,"status":"queued","labels":["linux"]},"repository":{"full_name":"acme/api"}}""");
        emulator.Webhooks.Secret = Secret;

        Assert.Equal(401, await emulator.Webhooks.PostAsync(target, "forged-1", body, signature: EmulatorWebhooks.Sign("not-the-secret", body)));
        Assert.Equal(401, await emulator.Webhooks.PostAsync(target, "unsigned-1", body, signature: string.Empty));
        var large = new byte[2 * 1024 * 1024];
        Array.Fill(large, (byte)' ');
        Assert.Equal(413, await emulator.Webhooks.PostAsync(target, "large-1", large));
        var notJson = "not json"u8.ToArray();
        Assert.Equal(400, await emulator.Webhooks.PostAsync(target, "garbage-1", notJson));

        foreach (var id in new[] { "forged-1", "unsigned-1", "large-1", "garbage-1" })
        {
            Assert.Null(await store.GetDeliveryAsync("github", id, CancellationToken.None));
        }

        // The genuine delivery is stored once and its job reaches the ledger.
        Assert.Equal(202, await emulator.Webhooks.PostAsync(target, "genuine-1", body));
        Assert.Equal(200, await emulator.Webhooks.PostAsync(target, "genuine-1", body));
        await Eventually.ThatAsync(() => ActiveJobsAsync(store), jobs => jobs.Any(j => j.Key == new JobKey("github", "1")), "the genuine job in the ledger", Keys);
        Assert.Single(await ActiveJobsAsync(store));
    }

    private async Task RunScenarioAsync(double dropRate, double duplicateRate, bool webhooks = true)
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 7 });
        StandInProvider? provider = null;
        await using var app = await StartServerAsync(emulator, _directory.Path, p => provider = p, polling: true, webhookSecret: webhooks);
        emulator.Webhooks.Target = webhooks ? new Uri(new Uri(app.Urls.First()), "/webhooks/github/github") : null;
        emulator.Webhooks.Secret = Secret;
        emulator.Webhooks.DropRate = dropRate;
        emulator.Webhooks.DuplicateRate = duplicateRate;
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;
        var cycles = new ConcurrentQueue<(double At, int Actions, string Notes)>();
        app.Services.GetRequiredService<ControlLoop>().CycleCompleted += snapshot => cycles.Enqueue(((DateTime.UtcNow - started).TotalSeconds, snapshot.Plan?.Actions.Count ?? 0, string.Join(" | ", snapshot.Plan?.Pools.Select(p => $"{p.Pool} q{p.Demand.Queued} r{p.Demand.Running} d{p.Desired} runners {string.Join(",", snapshot.Runners.Where(r => r.Pool == p.Pool).GroupBy(r => r.State).Select(g => $"{g.Key}:{g.Count()}"))}") ?? [])));

        // 50 jobs in 5 bursts of 10: linux jobs of acme/api, GPU jobs of acme/web, one Windows job no pool takes.
        var random = new Random(11);
        var windows = 0L;
        for (var burst = 0; burst < 5; burst++)
        {
            for (var i = 0; i < 10; i++)
            {
                var n = (burst * 10) + i;
                var duration = TimeSpan.FromMilliseconds(random.Next(300, 1200));
                if (n == 17)
                {
                    windows = emulator.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "windows"], duration)).Single();
                }
                else if (n % 3 == 0)
                {
                    emulator.QueueRun("acme/web", ($"job-{n}", ["self-hosted", "linux", "gpu"], duration));
                }
                else
                {
                    emulator.QueueRun("acme/api", ($"job-{n}", n % 2 == 0 ? ["linux"] : ["self-hosted", "linux"], duration));
                }
            }

            await Task.Delay(400);
        }

        var matchable = emulator.Jobs().Where(j => j.Id != windows).ToList();
        Assert.Equal(49, matchable.Count);
        await Eventually.ThatAsync(() => emulator.Jobs().Where(j => j.Id != windows).ToList(), jobs => jobs.All(j => j.Status == "completed"), "every matchable job completed", TestServe.Statuses, TimeSpan.FromSeconds(90));
        var allRun = DateTime.UtcNow - started;
        var loop = app.Services.GetRequiredService<ControlLoop>();
        await Eventually.ThatAsync(
            async () => (Forge: emulator.Runners().Count, Provider: provider!.Alive, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0),
            "no runner left at the forge, the provider or the store",
            left => $"{left.Forge} at the forge, {left.Provider} at the provider, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));
        var idleAgain = DateTime.UtcNow - started;
        await Eventually.ThatAsync(() => loop.Snapshot.Plan?.Unmatched ?? [], unmatched => unmatched.Any(j => j.Key.Id == windows.ToString(CultureInfo.InvariantCulture)), "the Windows job reported unmatched", u => $"unmatched [{string.Join(", ", u.Select(j => j.Key.Id))}]");
        await Eventually.ThatAsync(() => ActiveJobsAsync(store), jobs => jobs.All(j => j.Key.Id == windows.ToString(CultureInfo.InvariantCulture)), "the ledger holds only the unmatched job", Keys);
        var elapsed = DateTime.UtcNow - started;

        var jobs = emulator.Jobs();
        Assert.All(jobs.Where(j => j.Id != windows), j => Assert.Equal(1, j.Takes));
        Assert.Equal("queued", jobs.Single(j => j.Id == windows).Status);
        var runnersUsed = jobs.Where(j => j.RunnerName is not null).Select(j => j.RunnerName!).ToList();
        Assert.Equal(runnersUsed.Count, runnersUsed.Distinct(StringComparer.Ordinal).Count());
        Assert.All(provider!.Creates.Values, n => Assert.Equal(1, n));
        Assert.Equal(49, jobs.Count(j => j.Conclusion == "success"));
        var unmatchedNote = loop.Snapshot.Plan!.Unmatched.Single();
        Assert.Equal(["self-hosted", "windows"], unmatchedNote.Labels);

        var sent = emulator.Webhooks.Sent;
        var events = new List<StoredEvent>();
        for (var batch = await store.ListEventsAsync(new EventQuery(), CancellationToken.None); batch.Count > 0; batch = await store.ListEventsAsync(new EventQuery { AfterId = events[^1].Id }, CancellationToken.None))
        {
            events.AddRange(batch);
        }

        var waits = jobs.Where(j => j.StartedAt is not null).Select(j => (j.StartedAt!.Value - j.CreatedAt).TotalSeconds).Order().ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"queue wait (whole seconds): median {waits[waits.Count / 2]:F0} s, max {waits[^1]:F0} s; creates at {string.Join(" ", provider.CreatedAt.Select(c => TimeProvider.System.GetElapsedTime(provider.CreatedAt[0].Timestamp, c.Timestamp).TotalSeconds.ToString("F1", CultureInfo.InvariantCulture)))}"));
        var cycleTimes = cycles.Select(c => c.At).ToList();
        var gaps = cycleTimes.Zip(cycleTimes.Skip(1), (a, b) => (a, b)).Where(g => g.b - g.a > 3).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cycles {cycleTimes.Count}; gaps over 3 s: {string.Join(", ", gaps.Select(g => $"{g.a:F1}-{g.b:F1}"))}"));
        var stalled = cycles.Where(c => c.Actions == 0 && c.Notes.Contains(" q", StringComparison.Ordinal) && !c.Notes.Contains(" q0 ", StringComparison.Ordinal) && c.At > 6).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cycles with queued jobs and no action after 6 s: {stalled.Count}{(stalled.Count > 0 ? $", e.g. {stalled[0].At:F1} s: {stalled[0].Notes}" : string.Empty)}"));

        var disappeared = events.Count(e => e.Message.Contains("registration disappeared while idle", StringComparison.Ordinal));
        output.WriteLine(
            $"{(webhooks ? "webhooks" : "polling only")}, drop {dropRate:P0}, duplicate {duplicateRate:P0}: {matchable.Count} jobs run on {runnersUsed.Count} runners, {provider.Creates.Count} creates, " +
            $"webhooks sent {sent.Count} (lost {emulator.Webhooks.Dropped}, duplicated {emulator.Webhooks.Duplicated}; answers {string.Join(", ", sent.GroupBy(s => s.Status).Select(g => $"{g.Key}x{g.Count()}"))}), " +
            $"REST calls {emulator.Requests.Count} ({emulator.NotModified} answered 304); all jobs done after {allRun.TotalSeconds:F1} s, no runner left after {idleAgain.TotalSeconds:F1} s, ledger settled after {elapsed.TotalSeconds:F1} s; {disappeared} runner(s) failed as 'registration disappeared while idle'");
        if (dropRate > 0)
        {
            Assert.True(emulator.Webhooks.Dropped > 0, "no webhook was dropped; the scenario tests nothing");
            Assert.True(emulator.Webhooks.Duplicated > 0, "no webhook was duplicated");
            Assert.Contains(sent, s => s.Status == 200);
        }
    }

    internal static Task<WebApplication> StartServerAsync(GitHubEmulator emulator, string directory, Action<StandInProvider> created, bool polling, bool webhookSecret = true, bool startRunners = true, int max = 20, Func<GitHubForge, IForge>? wrap = null, Func<ServerOptions, ServerOptions>? adjust = null, Func<GitHubForgeOptions, GitHubForgeOptions>? forgeOptions = null)
    {
        var yaml = $$"""
            controllerId: drover
            forges:
              - name: github
                kind: github
                url: {{emulator.ApiUrl}}
                auth:
                  token: env:E2E_GITHUB_TOKEN
                {{(webhookSecret ? "webhookSecret: env:E2E_GITHUB_WEBHOOK_SECRET" : string.Empty)}}
            providers:
              - name: stand-in
                type: process
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: stand-in
                priority: 10
                max: {{max}}
                idleTimeout: 2s
                timeouts: { draining: 3s, finishedJobGrace: 2s }
              - name: gpu
                forge: github
                scope: { org: acme }
                labels: [linux, gpu]
                provider: stand-in
                max: 10
                idleTimeout: 2s
                timeouts: { draining: 3s, finishedJobGrace: 2s }
            """;
        var environment = new Dictionary<string, string> { ["E2E_GITHUB_TOKEN"] = Token, ["E2E_GITHUB_WEBHOOK_SECRET"] = Secret };
        var options = GitHubForgeOptions.Default with { Environment = n => environment.GetValueOrDefault(n), Polling = polling, PollInterval = TimeSpan.FromSeconds(1), RequestTimeout = TimeSpan.FromSeconds(5) };
        options = forgeOptions?.Invoke(options) ?? options;
        var catalog = new AdapterCatalog()
            .Add(new TestProviderModule("process", (config, context) =>
            {
                var provider = new StandInProvider(config.Name, context.Vault, context.Time) { StartRunners = startRunners };
                created(provider);
                return provider;
            }))
            .Add(new GitHubModule((config, context) => (wrap ?? (f => f))(GitHubForgeFactory.Create(config, context, options))));
        return TestServe.StartAsync(yaml, catalog, directory, "e2e", adjust: adjust);
    }

    private static async Task<IReadOnlyList<Job>> ActiveJobsAsync(IStateStore store) =>
        (await store.LoadPlanningStateAsync(DateTimeOffset.UnixEpoch, CancellationToken.None)).ActiveJobs;

    private static string Keys(IReadOnlyList<Job> jobs) => $"{jobs.Count} active job(s): {string.Join(", ", jobs.Take(10).Select(j => j.Key.Id))}";
}
