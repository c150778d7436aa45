using System.Security.Cryptography;
using Drover.Cli;
using Drover.Testing;

namespace Drover.Cli.Tests;

/// <summary>
/// <c>validate</c> and <c>serve</c> load fleets through the same adapter modules, so they agree on every example:
/// what validate refuses, serve refuses at start-up with the same error; what validates, serve starts.
/// </summary>
public sealed class ExamplesAgreeTests : IDisposable
{
    private readonly TempDirectory _directory = new("drover-examples-");

    public static TheoryData<string> InvalidExamples() => ValidateCommandTests.InvalidExamples();

    [Theory]
    [MemberData(nameof(InvalidExamples))]
    public void Serve_InvalidExample_RefusesAtStartUpWithTheErrorValidatePrints(string fileName)
    {
        var path = CliRunner.Example("invalid", fileName);
        var expected = $"{path}:{File.ReadAllLines(path)[1]["# expect: ".Length..]}";

        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", path, "--store", "sqlite:" + _directory.File("s.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_ExampleFleet_WithTheEnvironmentItNames_Starts()
    {
        var (config, variables) = ExampleWithEnvironment();
        try
        {
            foreach (var (name, value) in variables)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            Assert.Equal(0, CliRunner.Run(ValidateCommand.Create(), "validate", config).ExitCode);
            await using var serve = CliRunner.Start(ServeCommand.Create(), "serve", "--config", config, "--store", "sqlite:" + _directory.File("s.db"), "--urls", "http://127.0.0.1:0", "--backup-every", "0");
            await serve.WaitForOutputAsync("dashboard: ");
            Assert.Equal(0, await serve.StopAsync());
        }
        finally
        {
            foreach (var (name, _) in variables)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public void Serve_ExampleFleet_WithoutASecretVariable_Exits2NamingIt()
    {
        var (config, variables) = ExampleWithEnvironment();

        var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", config, "--store", "sqlite:" + _directory.File("s.db"), "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, exit);
        Assert.Contains($"environment variable {variables[0].Name} is not set or empty", error, StringComparison.Ordinal);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Serve_ExampleFleet_WithoutTheBudgetWebhookVariable_Exits2NamingTheBudget()
    {
        var (config, variables) = ExampleWithEnvironment();
        var set = variables.Where(v => !v.Name.Contains("BUDGET", StringComparison.Ordinal)).ToList();
        try
        {
            foreach (var (name, value) in set)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            var (exit, _, error) = CliRunner.Run(ServeCommand.Create(), "serve", "--config", config, "--store", "sqlite:" + _directory.File("s.db"), "--urls", "http://127.0.0.1:0");

            Assert.Equal(2, exit);
            Assert.Contains("budget pool/gpu notify.url: environment variable DROVER_EXAMPLE_DROVER_BUDGET_WEBHOOK_URL_", error, StringComparison.Ordinal);
            Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            foreach (var (name, _) in set)
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    public void Dispose() => _directory.Dispose();

    /// <summary>
    /// examples/fleet.yaml with what it asks of its environment made real here: its secret variables renamed to ones only
    /// this test sets, the GitHub App key file written, a kubeconfig for an API server on a closed loopback port, and the sample
    /// external provider for the GARM provider executable.
    /// </summary>
    private (string Config, List<(string Name, string Value)> Variables) ExampleWithEnvironment()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var variables = new List<(string Name, string Value)>();
        var text = File.ReadAllText(CliRunner.Example("fleet.yaml"));
        foreach (var name in new[] { "GITHUB_WEBHOOK_SECRET", "GITLAB_TOKEN", "GITLAB_WEBHOOK_TOKEN", "DROVER_BUDGET_WEBHOOK_URL" })
        {
            var renamed = $"DROVER_EXAMPLE_{name}_{suffix}";
            text = text.Replace($"env:{name}", $"env:{renamed}", StringComparison.Ordinal);
            variables.Add((renamed, "example-" + name.ToLowerInvariant()));
        }

        using var rsa = RSA.Create(2048);
        var key = _directory.File("github-app.pem");
        File.WriteAllText(key, rsa.ExportRSAPrivateKeyPem());
        text = text.Replace("file:/etc/drover/github-app.pem", "file:" + key, StringComparison.Ordinal);
        {
            var kubeconfig = _directory.File("kubeconfig");
            File.WriteAllText(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters: [{ name: closed, cluster: { server: "http://127.0.0.1:9" } }]
                users: [{ name: none, user: { token: unused } }]
                contexts: [{ name: closed, context: { cluster: closed, user: none } }]
                current-context: closed
                """);
            text = text.Replace("      namespace: ci-runners\n", $"      namespace: ci-runners\n      kubeconfig: {kubeconfig}\n", StringComparison.Ordinal);
        }

        {
            // The external provider: the sample provider of examples/providers, its state here.
            var providerConfig = _directory.File("openstack-provider.toml");
            File.WriteAllText(providerConfig, $"state_dir = \"{_directory.File("instances")}\"\nrunner_command = [\"/bin/true\"]\n");
            text = text.Replace("/opt/garm/providers/garm-provider-openstack", CliRunner.Example("providers", "drover-local-provider"), StringComparison.Ordinal)
                .Replace("/etc/drover/openstack-provider.toml", providerConfig, StringComparison.Ordinal);
        }

        var config = _directory.File("fleet.yaml");
        File.WriteAllText(config, text);
        return (config, variables);
    }
}
