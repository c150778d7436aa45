using Drover.Cli;
using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary>
/// The hostile files of the reliability probe: each is refused with exit 2 and its file, line and column (or
/// column name), never with a stack trace, and without doing the work the file asks for. (Wall-clock bounds are
/// measured and recorded in docs/reliability.md, not asserted here.)
/// </summary>
public sealed class BadInputFileTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-bad-input-");

    public void Dispose() => _directory.Dispose();

    private static void AssertRefused((int ExitCode, string Output, string Error) run, string expected)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith(expected, run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled", run.Error, StringComparison.Ordinal);
    }

    private string ExampleFleetWith(string name, Func<string, string> change)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, change(File.ReadAllText(CliRunner.Example("fleet.yaml"))));
        return path;
    }

    private string LineSeparatorFleet() =>
        ExampleFleetWith("u2028.yaml", t => t.Replace("scope: { org: acme }", "scope: { org: ac\u2028me }", StringComparison.Ordinal));

    [Fact]
    public void Validate_LineSeparatorInAFlowValue_ExitsTwoWithItsLineAndColumn()
    {
        var path = LineSeparatorFleet();

        AssertRefused(CliRunner.Run(ValidateCommand.Create(), "validate", path), $"{path}:77:21: the character U+2028 (LINE SEPARATOR) is not allowed");
    }

    [Fact]
    public void Plan_LineSeparatorInAFlowValue_ExitsTwoWithItsLineAndColumn()
    {
        var path = LineSeparatorFleet();

        AssertRefused(CliRunner.Run(PlanCommand.Create(), "plan", "--config", path), $"{path}:77:21: the character U+2028 (LINE SEPARATOR) is not allowed");
    }

    [Fact]
    public void Serve_LineSeparatorInAFlowValue_ExitsTwoWithItsLineAndColumn()
    {
        var path = LineSeparatorFleet();

        var run = CliRunner.Run(ServeCommand.Create(), "serve", "--config", path, "--store", "sqlite:" + _directory.File("s.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{path}:77:21: the character U+2028 (LINE SEPARATOR) is not allowed", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BillionLaughs_ExitsTwoAtTheAliasThatExceedsTheBudget()
    {
        var lines = new List<string> { "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]" };
        for (var i = 1; i < 10; i++)
        {
            lines.Add($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 9))}]");
        }

        var fleetLines = File.ReadAllLines(CliRunner.Example("fleet.yaml")).Length;
        var path = ExampleFleetWith("laughs.yaml", t => t + string.Join('\n', lines) + "\n");

        AssertRefused(CliRunner.Run(ValidateCommand.Create(), "validate", path), $"{path}:{fleetLines + 6}:10: alias *a4 expands the document to more than 100,000 nodes");
    }

    public static TheoryData<string, string, string> HostileTraces() => new()
    {
        { "duration.csv", "queued_at,duration_s,labels\n2024-01-01T00:00:00Z,1e12,linux\n", ":2: column 'duration_s': '1e12' is longer than 2678400 s (31 days)" },
        { "year9999.csv", "queued_at,duration_s,labels\n2024-01-01T00:00:00Z,60,linux\n9999-01-01T00:00:00Z,60,linux\n", ":3: column 'queued_at': '9999-01-01T00:00:00Z' is outside the range a trace may name" },
        { "count.csv", "bin_start,count\n2024-01-01T00:00:00Z,100000000\n2024-01-01T00:05:00Z,0\n", ":2: column 'count': '100000000' brings the trace to 100,000,000 jobs, more than the 10,000,000" },
    };

    [Theory]
    [MemberData(nameof(HostileTraces))]
    public void Simulate_HostileTrace_ExitsTwoWithFileLineAndColumn(string name, string content, string expected)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, content);

        AssertRefused(CliRunner.Run(SimulateCommand.Create(), "simulate", "--trace", path, "--quiet"), path + expected);
    }

    [Theory]
    [MemberData(nameof(HostileTraces))]
    public void TraceInfo_HostileTrace_ExitsTwoWithFileLineAndColumn(string name, string content, string expected)
    {
        var path = _directory.File(name);
        File.WriteAllText(path, content);

        AssertRefused(CliRunner.Run(TraceCommand.Create(), "trace", "info", "--from", path), path + expected);
    }
}
