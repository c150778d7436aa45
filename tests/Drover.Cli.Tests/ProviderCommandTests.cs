using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary><c>drover provider test</c>: the external provider contract suite, against the sample provider and a broken one.</summary>
public sealed class ProviderCommandTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-provider-test-");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void ProviderTest_SampleProvider_PassesEveryCheck_Exit0_NothingLeft()
    {
        var config = Fleet(CliRunner.Example("providers", "drover-local-provider"));

        var (exit, output, error) = CliRunner.Run(ProviderCommand.Create(), "provider", "test", "--config", config, "--provider", "cloud");

        Assert.True(exit == 0, output + error);
        foreach (var check in new[] { "create", "get", "list by pool", "list another pool", "delete", "idempotent delete", "delete by name of an unknown instance", "bad input", "remove all" })
        {
            Assert.Contains($"PASS {check}: ", output, StringComparison.Ordinal);
        }

        Assert.Contains("9 passed, 0 failed, 0 skipped", output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_directory.File("state"), "*.json"));
    }

    [Fact]
    public void ProviderTest_ProviderThatBreaksTheContract_SaysWhichChecksFail_Exit1()
    {
        // Answers every create (whatever its stdin) with the same instance, lists nothing, and fails to delete what is gone.
        var config = Fleet(Script("""
            case "$GARM_COMMAND" in
              CreateInstance) cat > /dev/null; echo '{"provider_id":"i-1","name":"fixed","status":"running"}' ;;
              ListInstances) echo '[]' ;;
              DeleteInstance) echo "no such instance $GARM_INSTANCE_ID" >&2; exit 1 ;;
              *) exit 0 ;;
            esac
            """));

        var (exit, output, _) = CliRunner.Run(ProviderCommand.Create(), "provider", "test", "--config", config, "--provider", "cloud");

        Assert.Equal(1, exit);
        Assert.Contains("FAIL create: CreateInstance (drover-contract-", output, StringComparison.Ordinal);
        Assert.Contains("answered an instance named 'fixed'", output, StringComparison.Ordinal);
        Assert.Contains("FAIL delete by name of an unknown instance: exits 1, not 0 or 30", output, StringComparison.Ordinal);
        Assert.Contains("FAIL bad input: CreateInstance with a stdin that is not JSON exits 0", output, StringComparison.Ordinal);
        Assert.Contains("SKIP get, list, delete: nothing was created", output, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderTest_UnknownOrNonExternalProvider_Exit2()
    {
        var config = Fleet(CliRunner.Example("providers", "drover-local-provider"));

        var unknown = CliRunner.Run(ProviderCommand.Create(), "provider", "test", "--config", config, "--provider", "nope");
        var process = CliRunner.Run(ProviderCommand.Create(), "provider", "test", "--config", config, "--provider", "local");

        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("declares no provider 'nope'; it declares: cloud, local", unknown.Error, StringComparison.Ordinal);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("provider 'local' is of type process; the contract suite tests external (GARM interface) providers", process.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderTest_MissingExecutable_Exit2()
    {
        var config = Fleet("/nonexistent/garm-provider");

        var (exit, _, error) = CliRunner.Run(ProviderCommand.Create(), "provider", "test", "--config", config, "--provider", "cloud");

        Assert.Equal(2, exit);
        Assert.Contains("providers[cloud].settings.executable: '/nonexistent/garm-provider' does not exist", error, StringComparison.Ordinal);
    }

    private string Fleet(string executable)
    {
        var providerConfig = _directory.File("provider.toml");
        File.WriteAllText(providerConfig, $"state_dir = \"{_directory.File("state")}\"\nrunner_command = [\"/bin/sleep\", \"30\"]\n");
        var path = _directory.File("fleet.yaml");
        File.WriteAllText(path, $$"""
            forges:
              - { name: github, kind: github, url: "https://api.github.com", auth: { token: "env:T" } }
            providers:
              - name: cloud
                type: external
                settings:
                  executable: "{{executable}}"
                  configFile: "{{providerConfig}}"
                  callbackUrl: http://127.0.0.1:9/api/v1/callbacks
                  metadataUrl: http://127.0.0.1:9/api/v1/metadata
                  execTimeout: 20s
              - { name: local, type: process, settings: { command: /bin/true } }
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: cloud }
            """);
        return path;
    }

    private string Script(string body)
    {
        var path = _directory.File("provider.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return path;
    }
}
