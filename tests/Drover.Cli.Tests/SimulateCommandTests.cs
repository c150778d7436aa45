using System.Text.Json;
using Drover.Simulation.Traces;

namespace Drover.Cli.Tests;

public sealed class SimulateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("drover-simulate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SyntheticTrace(int days = 2)
    {
        var path = Path.Combine(_dir, "trace.csv");
        JobCsv.Write(new SyntheticTraceGenerator(new SyntheticTraceOptions { Days = days, Seed = 3, BaseJobsPerHour = 40 }).Generate(), path);
        return path;
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliRunner.Run(SimulateCommand.Create(), ["simulate", .. args]);

    [Fact]
    public void Simulate_SyntheticTrace_PrintsTableAndWritesJsonAndHtml()
    {
        var json = Path.Combine(_dir, "out.json");
        var html = Path.Combine(_dir, "report.html");

        var (exitCode, output, error) = Run("--trace", SyntheticTrace(), "--policies", "reactive,predictive,garm-minidle-0", "--boot", "90s", "--json", json, "--html", html);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains("oracle (bound)", output, StringComparison.Ordinal);
        Assert.Contains("boot 1m30s, seed 1", output, StringComparison.Ordinal);
        foreach (var policy in new[] { "reactive", "predictive", "garm-minidle-0" })
        {
            Assert.Contains(Environment.NewLine + policy + " ", output, StringComparison.Ordinal);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var results = document.RootElement.GetProperty("results");
        Assert.Equal(3, results.GetArrayLength());
        var reactive = results[0];
        Assert.Equal("reactive", reactive.GetProperty("policy").GetString());
        Assert.Equal(90, reactive.GetProperty("waitP95Seconds").GetDouble(), 3);
        Assert.True(reactive.GetProperty("runnerMinutes").GetDouble() >= document.RootElement.GetProperty("oracle").GetProperty("runnerMinutes").GetDouble() - 1e-6);
        var page = File.ReadAllText(html);
        Assert.StartsWith("<!doctype html>", page, StringComparison.Ordinal);
        Assert.Equal(3, page.Split("<svg", StringSplitOptions.None).Length - 1);
        Assert.Contains("Cost against wait", page, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_SameSeedTwice_SameFigures()
    {
        var trace = SyntheticTrace(days: 1);
        var first = Run("--trace", trace, "--policies", "predictive", "--json", Path.Combine(_dir, "a.json"));
        var second = Run("--trace", trace, "--policies", "predictive", "--json", Path.Combine(_dir, "b.json"));

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(first.Output.Replace("a.json", "b.json", StringComparison.Ordinal), second.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(_dir, "a.json")), File.ReadAllText(Path.Combine(_dir, "b.json")));
    }

    [Fact]
    public void Simulate_LossyDeliveryAndVariableBoot_EveryJobStillRuns()
    {
        var json = Path.Combine(_dir, "lossy.json");

        var (exitCode, _, error) = Run("--trace", SyntheticTrace(days: 1), "--policies", "reactive", "--boot-sigma", "0.3", "--delivery-loss", "0.1", "--delivery-duplication", "0.05", "--delivery-delay", "3s", "--json", json);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var reactive = document.RootElement.GetProperty("results")[0];
        Assert.Equal(reactive.GetProperty("jobs").GetInt32(), reactive.GetProperty("jobsCompleted").GetInt32());
        Assert.NotEqual(reactive.GetProperty("waitP50Seconds").GetDouble(), reactive.GetProperty("waitMaxSeconds").GetDouble());
    }

    [Fact]
    public void Simulate_UnknownPolicy_ListsTheKnownOnes()
    {
        var (exitCode, output, error) = Run("--trace", SyntheticTrace(days: 1), "--policies", "magic");

        Assert.Equal(1, exitCode);
        Assert.Empty(output);
        Assert.Contains("--policies: unknown policy 'magic'; known: all, arc-scale-set-min-0", error, StringComparison.Ordinal);
        Assert.Contains("predictive", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--boot", "soon", "--boot: 'soon' is not a duration")]
    [InlineData("--predictive", "waitBudget=2", "--predictive waitBudget: must be a number between 0 and 1")]
    [InlineData("--predictive", "nonsense", "--predictive: 'nonsense' is not key=value")]
    [InlineData("--creation-failure-rate", "1.5", "creation failure rate")]
    [InlineData("--delivery-loss", "1", "delivery loss probability")]
    [InlineData("--delivery-delay", "later", "--delivery-delay: 'later' is not a duration")]
    public void Simulate_BadOption_SaysWhatIsWrong(string option, string value, string expected)
    {
        var (exitCode, _, error) = Run("--trace", SyntheticTrace(days: 1), option, value);

        Assert.Equal(1, exitCode);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Simulate_MalformedTrace_ReportsFileAndLine()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "queued_at,duration_s,labels\n2024-01-01T00:00:00Z,60,linux\n2024-01-01T00:01:00Z,abc,linux\n");

        var (exitCode, output, error) = Run("--trace", path);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains($"{path}:3: column 'duration_s': 'abc' is not a number", error, StringComparison.Ordinal);
    }
}
