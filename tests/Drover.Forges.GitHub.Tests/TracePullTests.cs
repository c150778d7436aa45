using System.CommandLine;
using System.Net;
using Drover.Cli;
using Drover.Core.Adapters;
using Drover.Core.Traces;
using Drover.Engine.Execution;
using Drover.Forges.GitHub.Api;
using Drover.Forges.GitHub.Auth;
using Drover.Forges.GitHub.Tests.Support;
using Drover.Forges.GitHub.Traces;
using Drover.Simulation.Traces;
using Drover.Testing.GitHub;

namespace Drover.Forges.GitHub.Tests;

public sealed class TracePullTests
{
    private const string TokenVariable = "DROVER_TRACE_PULL_TEST_TOKEN";

    /// <summary>An emulator with six finished jobs in four runs of acme/api (pages of two) and one queued job.</summary>
    private static async Task<GitHubEmulator> EmulatorWithHistoryAsync()
    {
        var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token], MaxPerPage = 2 });
        emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromMilliseconds(20)), ("test", ["linux", "x64"], TimeSpan.FromMilliseconds(20)));
        emulator.QueueRun("acme/api", ("build", ["linux"], TimeSpan.FromMilliseconds(20)));
        emulator.QueueRun("acme/api", ("lint", ["linux"], TimeSpan.FromMilliseconds(20)), ("docs", ["linux"], TimeSpan.FromMilliseconds(20)));
        emulator.QueueRun("acme/api", ("deploy", ["linux"], TimeSpan.FromMilliseconds(20)));
        var config = TestForges.Forge(emulator.ApiUrl);
        using var forge = TestForges.Create(config, TestForges.Fleet(config, TestForges.Pool("linux", new Core.Config.PoolScope(Core.Config.ScopeKind.Repository, "acme/api"), ["linux", "x64"])));
        for (var i = 0; i < 6; i++)
        {
            var credential = await forge.MintRunnerCredentialAsync("linux", $"drover-linux-{i}", CancellationToken.None);
            Assert.NotNull(await StandInRunner.RunAsync(credential.Reveal(), CancellationToken.None));
        }

        emulator.QueueRun("acme/api", ("waiting", ["windows"], TimeSpan.Zero));
        return emulator;
    }

    [Fact]
    public async Task Pull_PagedRunsAndJobs_EveryFinishedJobInTheTrace_RateLimitWaitedOut()
    {
        await using var emulator = await EmulatorWithHistoryAsync();
        using var client = new GitHubApiClient(emulator.ApiUrl, new RateLimitGate(TimeProvider.System, TimeSpan.Zero, 4))
        {
            Auth = new TokenAuth(new Core.Config.SecretRef(Core.Config.SecretSource.Env, "T"), new SecretResolver(_ => TestForges.Token), "token"),
        };
        emulator.Faults.RateLimitNext = 1;
        emulator.Faults.RateLimitStatus = HttpStatusCode.TooManyRequests;
        emulator.Faults.RetryAfter = TimeSpan.FromSeconds(1);
        var reports = new List<TracePullProgress>();

        var trace = await new GitHubTracePuller(client, TimeProvider.System).PullAsync("acme/api", null, new SyncProgress(reports.Add), CancellationToken.None);

        Assert.Equal(6, trace.Count);
        Assert.All(trace.Jobs, j => Assert.Equal("acme/api", j.Scope));
        Assert.All(trace.Jobs, j => Assert.True(j.StartedAt >= j.QueuedAt));
        Assert.Equal(["linux", "linux;x64"], trace.LabelSets.Select(l => l.Text).Order(StringComparer.Ordinal));
        Assert.Contains(trace.Notes, n => n.Contains("5 runs", StringComparison.Ordinal));
        Assert.Contains(trace.Notes, n => n.Contains("1 job(s) not finished", StringComparison.Ordinal));
        Assert.Contains(reports, r => r.WaitingUntil is not null);
        Assert.Equal(5, reports.Last().RunsDone);
        Assert.Contains(emulator.Requests, r => r.Contains("page=2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TracePullGitHub_Command_WritesAJobCsvThePlannerReads()
    {
        await using var emulator = await EmulatorWithHistoryAsync();
        var output = Path.Combine(Path.GetTempPath(), $"drover-pull-{Guid.NewGuid():N}.csv");
        Environment.SetEnvironmentVariable(TokenVariable, TestForges.Token);
        try
        {
            var (code, stdout, stderr) = Run(TraceCommand.Create(), "trace", "pull", "github", "--repo", "acme/api", "--since", "2000-01-01", "--url", emulator.ApiUrl.AbsoluteUri, "--token", "env:" + TokenVariable, "--out", output);

            Assert.True(code == 0, stderr);
            Assert.Contains($"wrote {output}", stdout, StringComparison.Ordinal);
            Assert.DoesNotContain(TestForges.Token, stdout + stderr, StringComparison.Ordinal);
            var trace = JobCsv.Read(output);
            Assert.Equal(6, trace.Count);
            Assert.Contains(emulator.Requests, r => r.Contains("created=%3E%3D2000-01-01", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            Environment.SetEnvironmentVariable(TokenVariable, null);
            File.Delete(output);
        }
    }

    [Fact]
    public async Task TracePullGitHub_BadTokenOrRepo_ClearErrors()
    {
        await using var emulator = await GitHubEmulator.StartAsync(new GitHubEmulatorOptions { Tokens = [TestForges.Token] });
        Environment.SetEnvironmentVariable(TokenVariable, "wrong-token");
        try
        {
            var (code, _, stderr) = Run(TraceCommand.Create(), "trace", "pull", "github", "--repo", "acme/api", "--url", emulator.ApiUrl.AbsoluteUri, "--token", "env:" + TokenVariable, "--out", "/tmp/never.csv");
            Assert.Equal(1, code);
            Assert.Contains("401", stderr, StringComparison.Ordinal);
            Assert.Contains("Bad credentials", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-token", stderr, StringComparison.Ordinal);

            (code, _, stderr) = Run(TraceCommand.Create(), "trace", "pull", "github", "--repo", "acme", "--out", "/tmp/never.csv");
            Assert.Equal(2, code);
            Assert.Contains("--repo: 'acme' is not of the form owner/name", stderr, StringComparison.Ordinal);

            (code, _, stderr) = Run(TraceCommand.Create(), "trace", "pull", "github", "--repo", "a/b", "--token", "ghp_inline", "--out", "/tmp/never.csv");
            Assert.Equal(2, code);
            Assert.Contains("--token", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(TokenVariable, null);
        }
    }

    [Fact]
    public async Task TracePullGitLab_Command_Group_WritesTheFinishedJobs_BadArgumentsAreClear()
    {
        await using var gitlab = await Drover.Testing.GitLab.GitLabEmulator.StartAsync("glpat-trace");
        gitlab.Queue(101, ["docker"], TimeSpan.FromMilliseconds(50));
        gitlab.Queue(102, [], TimeSpan.FromMilliseconds(50));
        gitlab.Queue(102, ["windows"], TimeSpan.FromMilliseconds(50));
        var credential = await new Drover.Forges.GitLab.Api.GitLabApiClient(gitlab.Url, () => "glpat-trace", new Drover.Forges.GitLab.Api.RequestBudget(TimeProvider.System, 100, TimeSpan.FromSeconds(5)), null, TimeSpan.FromSeconds(5))
            .PostAsync("user/runners", new { runner_type = "group_type", group_id = 10, tag_list = "docker", run_untagged = true, description = "trace-runner" }, CancellationToken.None);
        var runnerToken = credential.GetProperty("token").GetString()!;
        for (var i = 0; i < 2; i++)
        {
            Assert.NotNull(await Drover.Testing.GitLab.GitLabStandInRunner.RunAsync(gitlab.Url, runnerToken, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10)));
        }

        var output = Path.Combine(Path.GetTempPath(), $"drover-pull-{Guid.NewGuid():N}.csv");
        Environment.SetEnvironmentVariable(TokenVariable, "glpat-trace");
        try
        {
            var (code, stdout, stderr) = Run(TraceCommand.Create(), "trace", "pull", "gitlab", "--group", "acme", "--url", gitlab.Url.AbsoluteUri, "--token", "env:" + TokenVariable, "--out", output);

            Assert.True(code == 0, stderr);
            Assert.DoesNotContain("glpat-trace", stdout + stderr, StringComparison.Ordinal);
            var trace = JobCsv.Read(output);
            Assert.Equal(2, trace.Count);
            Assert.Equal(["acme/api", "acme/web"], trace.Jobs.Select(j => j.Scope).Order());

            (code, _, stderr) = Run(TraceCommand.Create(), "trace", "pull", "gitlab", "--group", "acme", "--project", "acme/api", "--out", output);
            Assert.Equal(2, code);
            Assert.Contains("exactly one of --project and --group", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(TokenVariable, null);
            File.Delete(output);
        }
    }

    private static (int Code, string Output, string Error) Run(Command command, params string[] args)
    {
        var root = new RootCommand("drover (test)");
        root.Subcommands.Add(command);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = root.Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (code, output.ToString(), error.ToString());
    }

    private sealed class SyncProgress(Action<TracePullProgress> report) : IProgress<TracePullProgress>
    {
        public void Report(TracePullProgress value) => report(value);
    }
}
