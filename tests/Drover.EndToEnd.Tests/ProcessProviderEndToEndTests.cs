using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Ports;
using Drover.Core.Runners;
using Drover.Engine.Execution;
using Drover.Engine.Loop;
using Drover.EndToEnd.Tests.Support;
using Drover.Providers.Process;
using Drover.Testing;
using Drover.Testing.GitHub;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Drover.EndToEnd.Tests;

/// <summary>
/// <c>drover serve</c> with a GitHub pool on the real <c>process</c> provider: every runner is a child process (the
/// stand-in runner program) that gets its JIT configuration in the environment, registers with the emulator, runs one
/// job and exits. Bounded: 50 jobs, at most 8 processes at once.
/// </summary>
[Collection(ServeCollection.Name)]
public sealed class ProcessProviderEndToEndTests(ITestOutputHelper output) : IDisposable
{
    private const string Token = "ghp_process_e2e";
    private const string Secret = "process-e2e-secret";
    private readonly TempDirectory _directory = new("drover-process-e2e-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Serve_GitHubPoolOnTheProcessProvider_EveryJobRunsInItsOwnProcess_NothingLeftOver()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [Token], Seed = 3 });
        IProvider? provider = null;
        await using var app = await StartAsync(emulator, p => provider = p);
        emulator.Webhooks.Target = new Uri(new Uri(app.Urls.First()), "/webhooks/github/github");
        emulator.Webhooks.Secret = Secret;
        var store = app.Services.GetRequiredService<IStateStore>();
        var started = DateTime.UtcNow;

        // 50 jobs in 5 bursts of 10: linux jobs of acme/api (two label spellings), GPU jobs of acme/web, one Windows job no pool takes.
        var windows = 0L;
        for (var burst = 0; burst < 5; burst++)
        {
            for (var i = 0; i < 10; i++)
            {
                var n = (burst * 10) + i;
                var duration = TimeSpan.FromMilliseconds(200 + (37 * n % 400));
                if (n == 17)
                {
                    windows = emulator.QueueRun("acme/api", ($"job-{n}", ["self-hosted", "windows"], duration)).Single();
                }
                else if (n % 4 == 0)
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

        await Eventually.ThatAsync(() => emulator.Jobs().Where(j => j.Id != windows).ToList(), jobs => jobs.All(j => j.Status == "completed"), "every matchable job completed", TestServe.Statuses, TimeSpan.FromSeconds(180));
        var allRun = DateTime.UtcNow - started;
        await Eventually.ThatAsync(
            async () => (Forge: emulator.Runners().Count, Provider: (await provider!.ListAsync(CancellationToken.None)).Count, Store: await TestServe.LiveRunnersAsync(store)),
            left => left == (0, 0, 0),
            "no runner left at the forge, the provider or the store",
            left => $"{left.Forge} at the forge, {left.Provider} processes, {left.Store} live in the store",
            TimeSpan.FromSeconds(60));
        var loop = app.Services.GetRequiredService<ControlLoop>();
        await Eventually.ThatAsync(() => loop.Snapshot.Plan?.Unmatched ?? [], unmatched => unmatched.Any(j => j.Key.Id == windows.ToString(System.Globalization.CultureInfo.InvariantCulture)), "the Windows job reported unmatched", u => $"unmatched [{string.Join(", ", u.Select(j => j.Key.Id))}]");

        var matchable = emulator.Jobs().Where(j => j.Id != windows).ToList();
        Assert.Equal(49, matchable.Count);
        Assert.All(matchable, j => Assert.Equal(1, j.Takes));
        Assert.All(matchable, j => Assert.Equal("success", j.Conclusion));
        Assert.Equal("queued", emulator.Jobs().Single(j => j.Id == windows).Status);
        var runnerNames = matchable.Select(j => j.RunnerName!).ToList();
        Assert.Equal(49, runnerNames.Distinct(StringComparer.Ordinal).Count());
        var exits = ((ProcessProvider)provider!).RecentExits;
        Assert.All(runnerNames, name => Assert.Contains(exits, e => e.RunnerName == name && e.ExitCode == 0));
        Assert.Empty(Directory.GetDirectories(_directory.File("runners")));
        output.WriteLine($"49 matchable jobs on {runnerNames.Count} runner processes ({exits.Count} exits), all run after {allRun.TotalSeconds:F1} s");
    }

    private Task<WebApplication> StartAsync(GitHubEmulator emulator, Action<IProvider> created)
    {
        var standIn = Path.Combine(AppContext.BaseDirectory, "Drover.StandInRunner.dll");
        var yaml = $$"""
            controllerId: drover
            forges:
              - name: github
                kind: github
                url: {{emulator.ApiUrl}}
                auth: { token: env:PROCESS_E2E_GITHUB_TOKEN }
                webhookSecret: env:PROCESS_E2E_WEBHOOK_SECRET
            providers:
              - name: local
                type: process
                settings:
                  command: dotnet "{{standIn}}"
                  workRoot: "{{_directory.File("runners")}}"
                  maxConcurrent: "8"
            pools:
              - name: linux
                forge: github
                scope: { repo: acme/api }
                labels: [linux]
                provider: local
                priority: 10
                max: 6
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
              - name: gpu
                forge: github
                scope: { org: acme }
                labels: [linux, gpu]
                provider: local
                max: 2
                idleTimeout: 2s
                timeouts: { draining: 5s, finishedJobGrace: 2s }
            """;
        var environment = new Dictionary<string, string> { ["PROCESS_E2E_GITHUB_TOKEN"] = Token, ["PROCESS_E2E_WEBHOOK_SECRET"] = Secret };
        var catalog = new AdapterCatalog().AddProcess(created).AddGitHub(environment);
        return TestServe.StartAsync(yaml, catalog, _directory.Path, "process-e2e");
    }
}
