using System.Text.Json;
using Drover.Simulation.Traces;

namespace Drover.Cli.Tests;

/// <summary><c>drover simulate --config</c>: a trace against the user's own fleet, with --set and --sweep.</summary>
public sealed class SimulateConfigTests : IDisposable
{
    private static readonly string[] GitHubPools = ["linux-x64", "gpu", "web-e2e", "linux-ec2", "vm-integration"];

    private readonly string _dir = Directory.CreateTempSubdirectory("drover-simulate-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string ExampleFleet => Path.Combine(CliRunner.RepositoryRoot, "examples", "fleet.yaml");

    private static (int ExitCode, string Output, string Error) Simulate(params string[] args) => CliRunner.Run(SimulateCommand.Create(), ["simulate", .. args]);

    /// <summary>A one-day synthetic trace with the labels and scopes of examples/fleet.yaml's GitHub pools, made by <c>drover trace synth --labels-from</c>.</summary>
    private string FleetTrace()
    {
        var path = Path.Combine(_dir, "fleet-trace.csv");
        var (exitCode, _, error) = CliRunner.Run(TraceCommand.Create(), "trace", "synth", "--labels-from", ExampleFleet, "--days", "1", "--rate", "30", "--seed", "2", "--out", path);
        Assert.True(exitCode == 0, error);
        return path;
    }

    private static JsonElement Pool(JsonDocument report, string name) =>
        report.RootElement.GetProperty("result").GetProperty("pools").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public void TraceSynth_LabelsFromTheExampleFleet_GivesEveryGitHubPoolJobs()
    {
        var trace = JobCsv.Read(FleetTrace());

        Assert.Equal(
            ["e2e;linux;x64 in acme/web", "ec2;linux;x64 in acme/app", "gpu;linux;x64 in acme/app", "linux;vm;x64 in acme/platform", "linux;x64 in acme/app"],
            trace.Jobs.Select(j => $"{j.Labels} in {j.Scope}").Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SimulateConfig_ExampleFleet_OnATraceWithItsLabels_PrintsEveryPoolTeamAndTotal()
    {
        var json = Path.Combine(_dir, "fleet.json");

        var (exitCode, output, error) = Simulate("--config", ExampleFleet, "--trace", FleetTrace(), "--boot", "90s", "--boot", "gpu=4m", "--json", json);

        Assert.True(exitCode == 0, error);
        Assert.Contains("examples/fleet.yaml with synthetic-1d-seed2:", output, StringComparison.Ordinal);
        Assert.Contains("boot 1m30s, gpu 4m, seed 1", output, StringComparison.Ordinal);
        foreach (var pool in GitHubPools.Append("total").Append("platform").Append("ml"))
        {
            Assert.Contains(Environment.NewLine + pool + " ", output, StringComparison.Ordinal);
        }

        Assert.Contains("unmatched: none; every job of the trace has a pool", output, StringComparison.Ordinal);
        Assert.Contains("not simulated: pools of other forges (gitlab-shell)", output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        var jobs = report.RootElement.GetProperty("result").GetProperty("jobs").GetInt32();
        Assert.Equal(jobs, GitHubPools.Sum(p => Pool(report, p).GetProperty("jobs").GetInt32()));
        Assert.All(GitHubPools, p => Assert.True(Pool(report, p).GetProperty("jobs").GetInt32() > 0, $"{p} gets jobs"));
        Assert.True(Pool(report, "gpu").GetProperty("waitMaxSeconds").GetDouble() >= 240, "a gpu job that finds no warm runner waits its 4m boot");
        Assert.Equal(
            report.RootElement.GetProperty("result").GetProperty("cost").GetDouble(),
            report.RootElement.GetProperty("result").GetProperty("teams").EnumerateArray().Sum(t => t.GetProperty("cost").GetDouble()),
            6);
        Assert.True(Pool(report, "gpu").GetProperty("cost").GetDouble() > Pool(report, "web-e2e").GetProperty("cost").GetDouble() / 100, "the gpu pool is priced");
    }

    [Fact]
    public void SimulateConfig_SetMoreIdle_ShortensThatPoolsWaitAndCostsMoreRunnerMinutes()
    {
        var trace = FleetTrace();
        Simulate("--config", ExampleFleet, "--trace", trace, "--json", Path.Combine(_dir, "before.json"));

        var (exitCode, output, error) = Simulate("--config", ExampleFleet, "--trace", trace, "--set", "pools.linux-ec2.idle=3", "--json", Path.Combine(_dir, "after.json"));

        Assert.True(exitCode == 0, error);
        Assert.Contains("set: pools.linux-ec2.idle=3", output, StringComparison.Ordinal);
        using var before = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "before.json")));
        using var after = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "after.json")));
        var (b, a) = (Pool(before, "linux-ec2"), Pool(after, "linux-ec2"));
        Assert.True(a.GetProperty("waitP95Seconds").GetDouble() < b.GetProperty("waitP95Seconds").GetDouble(), $"p95 {a.GetProperty("waitP95Seconds")} s with idle 3, {b.GetProperty("waitP95Seconds")} s with idle 0");
        Assert.True(a.GetProperty("runnerMinutes").GetDouble() > b.GetProperty("runnerMinutes").GetDouble());
        Assert.Equal(Pool(before, "gpu").GetProperty("runnerMinutes").GetDouble(), Pool(after, "gpu").GetProperty("runnerMinutes").GetDouble(), 6);
    }

    [Fact]
    public void SimulateConfig_Sweep_PrintsTheCurveAndARecommendation_AndChartsItInTheHtml()
    {
        var html = Path.Combine(_dir, "sweep.html");

        var (exitCode, output, error) = Simulate("--config", ExampleFleet, "--trace", FleetTrace(), "--sweep", "pools.linux-ec2.idle=0..2", "--html", html);

        Assert.True(exitCode == 0, error);
        Assert.Contains("sweep pools.linux-ec2.idle (configured: 0); linux-ec2's figures and the fleet's runner-minutes:", output, StringComparison.Ordinal);
        Assert.Contains(Environment.NewLine + "0 *  ", output, StringComparison.Ordinal);
        Assert.Contains(Environment.NewLine + "2    ", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  linux-ec2: (idle [0-2]|no idle from 0 to 2 reaches a p95 wait of 15 s)", output);
        var page = File.ReadAllText(html);
        Assert.Contains("<h2>Sweep of pools.linux-ec2.idle</h2>", page, StringComparison.Ordinal);
        Assert.Equal(3, page.Split("<circle", StringSplitOptions.None).Length - 1);
    }

    [Fact]
    public void SimulateConfig_JobsNoPoolTakes_AreCountedWithTheirLabels()
    {
        var path = Path.Combine(_dir, "plain.csv");
        var trace = new SyntheticTraceGenerator(new SyntheticTraceOptions { Days = 1, Seed = 3, BaseJobsPerHour = 20 }).Generate();
        JobCsv.Write(trace, path);
        var windows = trace.Jobs.Count(j => j.Labels.Text == "windows");
        var macos = trace.Jobs.Count(j => j.Labels.Text == "macos");

        var (exitCode, output, error) = Simulate("--config", ExampleFleet, "--trace", path, "--scope", "acme/app");

        Assert.True(exitCode == 0, error);
        Assert.Contains($"unmatched: {windows + macos:N0} jobs no pool of forge github takes (not simulated):", output, StringComparison.Ordinal);
        Assert.Matches($@"\n +{windows}  \[windows\] in acme/app", output);
        Assert.Matches($@"\n +{macos}  \[macos\] in acme/app", output);
    }

    [Theory]
    [InlineData("--set", "pools.gpu.idel=2", "--set pools.gpu.idel=2: 'idel' is not a field a simulation can set on a pool; known: min, max, idle, priority, idleTimeout, maxLifetime, policy, policySettings.KEY")]
    [InlineData("--set", "pools.gpu.idle=9", "--set pools.gpu.idle=9: pools[1].idle: ")]
    [InlineData("--sweep", "pools.nope.idle=0..2", "--sweep pools.nope.idle=0..2: no pool is named 'nope'; pools: linux-x64, gpu, web-e2e, linux-ec2, gitlab-shell, vm-integration")]
    [InlineData("--boot", "k9s=2m", "--boot k9s=…: no simulated pool or provider is named 'k9s'")]
    [InlineData("--forge", "gitea", "--forge: the fleet has no forge named 'gitea'; forges: github, gitlab")]
    public void SimulateConfig_BadOverride_Exit2WithWhatAndWhere(string option, string value, string message)
    {
        var (exitCode, output, error) = Simulate("--config", ExampleFleet, "--trace", FleetTrace(), option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Fact]
    public void SimulateConfig_InvalidFleetFile_Exit2WithFileLineAndColumn()
    {
        var fleet = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(fleet, File.ReadAllText(ExampleFleet).Replace("    max: 4\n", "    max: -4\n", StringComparison.Ordinal));

        var (exitCode, output, error) = Simulate("--config", fleet, "--trace", FleetTrace());

        Assert.Equal(2, exitCode);
        Assert.Matches(@"bad\.yaml:\d+:\d+: pools\[1\]\.max: ", error);
        Assert.Empty(output);
    }

    [Fact]
    public void Simulate_SetWithoutConfig_SaysItNeedsOne()
    {
        var (exitCode, _, error) = Simulate("--trace", FleetTrace(), "--set", "pools.gpu.idle=2");

        Assert.Equal(1, exitCode);
        Assert.Contains("--set: needs --config", error, StringComparison.Ordinal);
    }
}
