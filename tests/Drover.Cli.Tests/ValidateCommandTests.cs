using System.CommandLine;
using Drover.Cli;

namespace Drover.Cli.Tests;

public sealed class ValidateCommandTests
{
    private static readonly string _root = CliRunner.RepositoryRoot;

    public static TheoryData<string> InvalidExamples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(_root, "examples", "invalid"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Fact]
    public void Validate_ExampleFleet_PrintsOneSummaryLineAndExitsZero()
    {
        var path = Path.Combine(_root, "examples", "fleet.yaml");

        var (exitCode, output, error) = Run("validate", path);

        Assert.Equal(0, exitCode);
        Assert.Equal($"{path}: valid — 2 forges, 4 providers, 6 pools{Environment.NewLine}", output);
        Assert.Empty(error);
    }

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void Validate_InvalidExample_PrintsExpectedErrorAndExitsTwo(string fileName)
    {
        var path = Path.Combine(_root, "examples", "invalid", fileName);
        var lines = File.ReadAllLines(path);
        Assert.StartsWith("# Wrong: ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("# expect: ", lines[1], StringComparison.Ordinal);
        var expected = $"{path}:{lines[1]["# expect: ".Length..]}";

        var (exitCode, output, error) = Run("validate", path);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        var line = Assert.Single(error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidExamples_CoverAtLeastTenMistakes()
    {
        Assert.True(InvalidExamples().Count >= 10);
    }

    [Fact]
    public void Validate_DeprecatedFlatTemplateSettings_ValidWithOneWarningPerKeyNamingTheNewPlace()
    {
        using var directory = new Drover.Testing.TempDirectory("drover-validate-");
        var path = directory.File("fleet.yaml");
        File.WriteAllText(path, File.ReadAllText(Path.Combine(_root, "examples", "invalid", "kubernetes-container-mode.yaml"))
            .Replace("kubernetes: { containerMode: dnd }", "settings: { containerMode: dind, githubRunnerGroupId: \"3\" }", StringComparison.Ordinal));

        var (exitCode, output, error) = Run("validate", path);

        Assert.Equal(0, exitCode);
        Assert.Contains("valid", output, StringComparison.Ordinal);
        var warnings = error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, warnings.Length);
        Assert.Contains($"warning: {path}:19:", warnings[0], StringComparison.Ordinal);
        Assert.Contains("pools[0].template.settings.containerMode: deprecated: write it as template.kubernetes.containerMode", warnings[0], StringComparison.Ordinal);
        Assert.Contains("pools[0].template.settings.githubRunnerGroupId: deprecated: write it as the pool's github.runnerGroupId", warnings[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingFile_ReportsItAndExitsTwo()
    {
        var path = Path.Combine(_root, "examples", "no-such-fleet.yaml");

        var (exitCode, output, error) = Run("validate", path);

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Equal($"{path}: file not found{Environment.NewLine}", error);
    }

    [Fact]
    public void Validate_SeveralProblems_PrintsEveryOneInFileOrder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-validate-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, """
            forges:
              - { name: gh, kind: github, auth: { token: glpat-notarealtoken123456 } }
            providers:
              - { name: k8s, type: kubernetes }
            pools:
              - { name: a, forge: gh, scope: { org: acme }, provider: k8s, min: 3, max: 2 }
              - { name: b, forge: gh, scope: { org: acme }, provider: vm }
            """);
        try
        {
            var (exitCode, output, error) = Run("validate", path);

            Assert.Equal(2, exitCode);
            Assert.Empty(output);
            Assert.Equal(
                [
                    $"{path}:2:46: forges[0].auth.token: looks like an inline GitLab personal access token; store it in an environment variable or a file and write env:NAME or file:/path",
                    $"{path}:6:69: pools[0].min: min (3) is greater than max (2)",
                    $"{path}:7:59: pools[1].provider: unknown provider 'vm' (defined providers: k8s)",
                ],
                error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
            Assert.DoesNotContain("glpat-notarealtoken123456", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static (int ExitCode, string Output, string Error) Run(params string[] args) => CliRunner.Run(ValidateCommand.Create(), args);
}
