using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Drover.Cli.Tests;

public sealed class PlanCommandTests
{
    private static readonly string Fleet = CliRunner.Example("fleet.yaml");
    private static readonly string State = CliRunner.Example("state.json");

    private static (int ExitCode, string Output, string Error) Run(params string[] args) =>
        CliRunner.Run(PlanCommand.Create(new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero))), ["plan", .. args]);

    private static string TempFile(string text)
    {
        var path = Path.Combine(Path.GetTempPath(), $"drover-plan-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Plan_ExampleFleetAndState_PrintsEveryDecisionWithItsReason()
    {
        var (exitCode, output, error) = Run("--config", Fleet, "--state", State);

        Assert.Equal(0, exitCode);
        Assert.Empty(error);
        Assert.Contains("+ create drover-prod-linux-x64-44 on k8s: scale up: desired 7, active 2", output, StringComparison.Ordinal);
        Assert.Contains("- delete drover-prod-linux-x64-42 [boot-timeout]: registering for 13m, past its 10m timeout", output, StringComparison.Ordinal);
        Assert.Contains("! 1 failed runner(s) in retry backoff; next replacement at 12:00:05Z", output, StringComparison.Ordinal);
        Assert.Contains("! budget reached: pool/gpu spent 1512.40 of 1500.00 EUR this month; hard-cap, no new runners", output, StringComparison.Ordinal);
        Assert.Contains("- delete instance drover-prod-linux-x64-12 on k8s", output, StringComparison.Ordinal);
        Assert.Contains("- unregister github runner #8770 'drover-prod-linux-x64-9'", output, StringComparison.Ordinal);
        Assert.Contains("? github/5007 labels [self-hosted, macos, arm64] from acme/ios", output, StringComparison.Ordinal);
        Assert.EndsWith($"Plan: 5 to create, 1 to delete, 1 forge runner(s) to unregister, 1 orphan instance(s) to delete.{Environment.NewLine}", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_Json_ListsActionsWithTheirKind()
    {
        var (exitCode, output, _) = Run("--config", Fleet, "--state", State, "--json");

        Assert.Equal(0, exitCode);
        using var document = JsonDocument.Parse(output);
        var actions = document.RootElement.GetProperty("actions").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(5, actions.Count(a => a == "create"));
        Assert.Equal(1, actions.Count(a => a == "delete"));
        Assert.Equal(1, actions.Count(a => a == "unregister"));
        Assert.Equal(1, actions.Count(a => a == "delete-instance"));
        Assert.Equal("5007", document.RootElement.GetProperty("unmatched")[0].GetProperty("key").GetProperty("id").GetString());
    }

    [Fact]
    public void Plan_NoStateFile_PlansFromEmptyStateAtNow()
    {
        var (exitCode, output, _) = Run("--config", Fleet);

        Assert.Equal(0, exitCode);
        Assert.Contains("Drover plan at 2026-11-23 12:00:00Z", output, StringComparison.Ordinal);
        Assert.Contains("+ create drover-prod-gitlab-shell-0 on build-host", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_InvalidConfig_PrintsConfigErrorsAndExitsTwo()
    {
        var (exitCode, output, error) = Run("--config", CliRunner.Example("invalid", "min-greater-than-max.yaml"));

        Assert.Equal(2, exitCode);
        Assert.Empty(output);
        Assert.Contains("min", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_StateWithUnknownEnumValue_ReportsFileLineColumnAndPath()
    {
        var path = TempFile("""
            {
              "runners": [
                { "id": "r", "pool": "gpu", "provider": "k8s", "idempotencyKey": "r", "state": "sleeping",
                  "stateSince": "2026-11-23T11:00:00Z", "createdAt": "2026-11-23T11:00:00Z" }
              ]
            }
            """);
        try
        {
            var (exitCode, output, error) = Run("--config", Fleet, "--state", path);

            Assert.Equal(1, exitCode);
            Assert.Empty(output);
            Assert.StartsWith($"{path}:3:", error, StringComparison.Ordinal);
            Assert.Contains("$.runners[0].state", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plan_StateWithUnknownKey_IsRefused()
    {
        var path = TempFile("""{ "runnerz": [] }""");
        try
        {
            var (exitCode, _, error) = Run("--config", Fleet, "--state", path);

            Assert.Equal(1, exitCode);
            Assert.Contains("runnerz", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plan_MissingRequiredRunnerField_IsRefused()
    {
        var path = TempFile("""{ "runners": [ { "id": "r" } ] }""");
        try
        {
            var (exitCode, _, error) = Run("--config", Fleet, "--state", path);

            Assert.Equal(1, exitCode);
            Assert.Contains("$.runners[0]", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plan_BadNow_IsRefusedWithTheExpectedForm()
    {
        var (exitCode, _, error) = Run("--config", Fleet, "--now", "tomorrow");

        Assert.Equal(1, exitCode);
        Assert.Contains("--now: 'tomorrow' is not an ISO 8601 instant", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_MissingStateFile_IsReported()
    {
        var (exitCode, _, error) = Run("--config", Fleet, "--state", "/nonexistent/state.json");

        Assert.Equal(1, exitCode);
        Assert.Contains("/nonexistent/state.json", error, StringComparison.Ordinal);
    }
}
