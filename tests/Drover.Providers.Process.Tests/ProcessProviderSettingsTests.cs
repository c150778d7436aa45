using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Providers.Process.Tests.Support;
using Drover.Testing;
using Drover.Testing.Modules;

namespace Drover.Providers.Process.Tests;

public sealed class ProcessProviderSettingsTests
{
    private static ProviderConfig Config(params (string Key, string Value)[] settings) => new()
    {
        Name = "local",
        Type = "process",
        Settings = settings.ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
    };

    [Fact]
    public void Parse_Defaults_AreDocumented()
    {
        var settings = ProcessProviderSettings.Parse(Config(("command", "{runnerDir}/run.sh")));

        Assert.Equal(["{runnerDir}/run.sh"], settings.CommandWords);
        Assert.Equal(Path.GetFullPath(".drover/runners/local"), settings.WorkRoot);
        Assert.Equal(Environment.ProcessorCount, settings.MaxConcurrent);
        Assert.Null(settings.RegistrationEnv);
        Assert.False(settings.RegistrationFile);
        Assert.False(settings.KeepLogs);
        Assert.Empty(settings.Environment);
        Assert.Equal("ACTIONS_RUNNER_INPUT_JITCONFIG", ProcessProviderSettings.DefaultRegistrationEnv("jit-config"));
        Assert.Equal("CI_SERVER_TOKEN", ProcessProviderSettings.DefaultRegistrationEnv("runner-token"));
    }

    [Fact]
    public void Parse_CommandWithQuotesAndArgs_SplitsLikeAShellWithoutExpanding()
    {
        var settings = ProcessProviderSettings.Parse(Config(
            ("command", """/bin/sh -c 'echo "$HOME" ${X} {runnerName}' "two words" back\ slash"""),
            ("args", "--name {runnerName} --pool={pool}")));

        Assert.Equal(
            ["/bin/sh", "-c", """echo "$HOME" ${X} {runnerName}""", "two words", "back slash", "--name", "{runnerName}", "--pool={pool}"],
            settings.CommandWords);
    }

    [Theory]
    [InlineData("command", "", "providers[local].settings.command: is required")]
    [InlineData("command", "   ", "providers[local].settings.command: is required")]
    [InlineData("command", "/bin/sh -c 'unterminated", "providers[local].settings.command: has an unterminated single quote")]
    [InlineData("command", "run.sh --jit {credential}", "providers[local].settings.command: unknown placeholder '{credential}'")]
    [InlineData("command", "run.sh --jit {jitconfig}", "the credential is never put on a command line")]
    [InlineData("command", "run.sh {credentialFile}", "providers[local].settings.command: uses {credentialFile}, which needs registrationFile: true")]
    [InlineData("args", "--dir \"{runnerDir}", "providers[local].settings.args: has an unterminated double quote")]
    [InlineData("maxConcurrent", "0", "providers[local].settings.maxConcurrent: must be a whole number of at least 1, got '0'")]
    [InlineData("maxConcurrent", "four", "providers[local].settings.maxConcurrent: must be a whole number of at least 1, got 'four'")]
    [InlineData("maxConcurrent", "-2", "providers[local].settings.maxConcurrent: must be a whole number")]
    [InlineData("registrationEnv", "1BAD", "providers[local].settings.registrationEnv: must be an environment variable name")]
    [InlineData("registrationEnv", "A-B", "providers[local].settings.registrationEnv: must be an environment variable name")]
    [InlineData("registrationFile", "yes", "providers[local].settings.registrationFile: must be true or false, got 'yes'")]
    [InlineData("keepLogs", "1", "providers[local].settings.keepLogs: must be true or false, got '1'")]
    [InlineData("workRoot", "", "providers[local].settings.workRoot: must be a directory path")]
    [InlineData("workRoot", "/tmp/{pool}", "providers[local].settings.workRoot: takes no placeholders")]
    [InlineData("env", "NOEQUALS", "providers[local].settings.env: entries are NAME=value")]
    [InlineData("env", "A=1;A=2", "providers[local].settings.env: 'A' is set twice")]
    [InlineData("env", "ACTIONS_RUNNER_INPUT_JITCONFIG=x", "providers[local].settings.env: 'ACTIONS_RUNNER_INPUT_JITCONFIG' carries the runner's credential")]
    [InlineData("env", "X={secret}", "providers[local].settings.env: unknown placeholder '{secret}'")]
    [InlineData("credentialEnv", "X", "providers[local].settings.credentialEnv: unknown setting; known settings: command, args, workRoot")]
    [InlineData("keeplogs", "true", "did you mean 'keepLogs'?")]
    public void Parse_BadValue_ThrowsNamingTheSettingAndTheProblem(string key, string value, string expected)
    {
        var settings = new List<(string, string)> { (key, value) };
        if (key != "command")
        {
            settings.Add(("command", "/bin/true"));
        }

        var e = Assert.Throws<ArgumentException>(() => ProcessProviderSettings.Parse(Config([.. settings])));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_WorkRootThatIsAFile_IsRefused()
    {
        var file = Path.GetTempFileName();
        try
        {
            var e = Assert.Throws<ArgumentException>(() => ProcessProviderSettings.Parse(Config(("command", "/bin/true"), ("workRoot", file))));
            Assert.Contains($"providers[local].settings.workRoot: '{file}' is a file", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Problems_SeveralBadSettings_AreAllReported()
    {
        var problems = ProcessProviderSettings.Problems(Config(("maxConcurrent", "0"), ("keepLogs", "maybe"), ("colour", "blue")));

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("providers[local].settings.command:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("providers[local].settings.maxConcurrent:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("providers[local].settings.keepLogs:", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("providers[local].settings.colour: unknown setting", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_ReportsProblemsBySettingsKeyForAValidator()
    {
        var problems = ProcessProviderSettings.Check(new Dictionary<string, string> { ["command"] = "run.sh {token}", ["maxConcurrent"] = "x" });

        Assert.Equal(["command", "maxConcurrent"], problems.Select(p => p.Key));
        Assert.StartsWith("unknown placeholder '{token}'", problems[0].Message, StringComparison.Ordinal);
        Assert.Empty(ProcessProviderSettings.Check(new Dictionary<string, string> { ["command"] = "run.sh" }));
    }

    [Fact]
    public void Factory_BadSettings_ThrowsArgumentExceptionWithTheMessages()
    {
        var config = Config(("command", "/bin/true"), ("maxConcurrent", "none"));
        var context = new AdapterContext(new FleetConfig { Providers = [config] }, new RunnerCredentialVault(), TimeProvider.System, new ListLogger());

        var e = Assert.Throws<ArgumentException>(() => ProcessProviderFactory.Create(config, context));

        Assert.Contains("providers[local].settings.maxConcurrent", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_WithTheProcessFactory_BuildsTheProvider()
    {
        var config = Config(("command", "/bin/true"));
        var context = new AdapterContext(new FleetConfig { Providers = [config] }, new RunnerCredentialVault(), TimeProvider.System, new ListLogger());

        var adapters = new AdapterCatalog().Add(new ProcessModule()).Build(context);

        Assert.IsType<ProcessProvider>(adapters.Provider("local"));
    }

    [Fact]
    public void Load_TheDocumentedExample_PassesTheFleetLoaderAndTheProviderChecks()
    {
        var loaded = LoadWithSettings(
            "command: \"{runnerDir}/run.sh\"",
            "workRoot: /var/lib/drover/runners",
            "maxConcurrent: 4",
            "registrationEnv: ACTIONS_RUNNER_INPUT_JITCONFIG",
            "registrationFile: true",
            "env: \"RUNNER_ALLOW_RUNASROOT=0; RUNNER_WORK={runnerDir}/_work\"",
            "keepLogs: false");

        Assert.Empty(loaded.Errors);
        var provider = Assert.Single(loaded.Config!.Providers);
        Assert.Empty(ProcessProviderSettings.Problems(provider));
        var settings = ProcessProviderSettings.Parse(provider);
        Assert.Equal(4, settings.MaxConcurrent);
        Assert.True(settings.RegistrationFile);
        Assert.Equal([new("RUNNER_ALLOW_RUNASROOT", "0"), new KeyValuePair<string, string>("RUNNER_WORK", "{runnerDir}/_work")], settings.Environment);
        Assert.Contains(loaded.Warnings, w => w.Path == "providers[0].settings.env" && w.Message.Contains("write env as a mapping", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_TypedSettings_ListsAndMaps_AreTakenAsWritten()
    {
        var loaded = LoadWithSettings(
            "command: [/bin/sh, -c, \"cp -a /opt/runner/. . && exec ./run.sh\"]",
            "args: [\"--label\", \"a; b\"]",
            "maxConcurrent: 3",
            "env:",
            "  RUNNER_WORK: \"{runnerDir}/_work\"",
            "  GREETING: \"a=b; c\"");

        Assert.Empty(loaded.Errors);
        Assert.Empty(loaded.Warnings);
        var settings = ProcessProviderSettings.Parse(Assert.Single(loaded.Config!.Providers));
        Assert.Equal(["/bin/sh", "-c", "cp -a /opt/runner/. . && exec ./run.sh", "--label", "a; b"], settings.CommandWords);
        Assert.Equal(3, settings.MaxConcurrent);
        Assert.Equal([new("RUNNER_WORK", "{runnerDir}/_work"), new KeyValuePair<string, string>("GREETING", "a=b; c")], settings.Environment);
    }

    [Theory]
    [InlineData("env: { RUNNER_TOKEN: \"{credential}\" }", 9, "providers[0].settings.env", "unknown placeholder '{credential}'")]
    [InlineData("env: { 1BAD: x }", 9, "providers[0].settings.env", "'1BAD' is not a valid variable name")]
    [InlineData("env: { ACTIONS_RUNNER_INPUT_JITCONFIG: x }", 9, "providers[0].settings.env", "carries the runner's credential")]
    [InlineData("env: { A: [x] }", 9, "providers[0].settings.env.A", "expected a string value")]
    [InlineData("args: [\"{token}\"]", 9, "providers[0].settings.args", "unknown placeholder '{token}'")]
    [InlineData("maxConcurrent: 0", 9, "providers[0].settings.maxConcurrent", "at least 1")]
    public void Load_BadTypedSettings_AreRefusedWhereWritten(string line, int lineNumber, string path, string message)
    {
        var loaded = LoadWithSettings("command: run.sh", "workRoot: /tmp/drover-runners", line);

        var error = Assert.Single(loaded.Errors);
        Assert.Equal(path, error.Path);
        Assert.Equal(lineNumber, error.Line);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_KeysNamedCredential_AreRefusedByTheFleetLoaderAsInlineSecrets()
    {
        // Why the credential settings are called registrationEnv/registrationFile: the loader treats any settings key
        // containing "credential" (or token, secret, password) as a secret that must be an env:/file: reference.
        const string Yaml = """
            forges:
              - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
            providers:
              - { name: build-host, type: process, settings: { command: run.sh, credentialEnv: ACTIONS_RUNNER_INPUT_JITCONFIG } }
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: build-host }
            """;

        var loaded = new FleetConfigLoader().LoadFromString(Yaml, "fleet.yaml");

        Assert.Contains(loaded.Errors, e => e.ToString().Contains("credentialEnv", StringComparison.Ordinal));
    }

    /// <summary>
    /// Loads a fleet whose one provider, <c>build-host</c> of type process, has the settings <paramref name="lines"/>
    /// (one per line, from line 7 on), as <c>drover validate</c> does.
    /// </summary>
    private static ConfigLoadResult LoadWithSettings(params string[] lines) =>
        new FleetConfigLoader(ModuleOptions()).LoadFromString(
            $$"""
            forges:
              - { name: github, kind: github, url: "https://github.invalid", auth: { token: "env:T" } }
            providers:
              - name: build-host
                type: process
                settings:
            {{string.Join('\n', lines.Select(l => "      " + l))}}
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: build-host }
            """,
            "fleet.yaml");

    /// <summary>Validation as <c>drover validate</c> does it: through the process module (and a GitHub forge module).</summary>
    private static FleetConfigValidationOptions ModuleOptions() => new AdapterCatalog()
        .Add(new ProcessModule())
        .Add(new TestForgeModule(ForgeKind.GitHub, (_, _) => throw new InvalidOperationException("not built here")))
        .ValidationOptions(PolicyRegistry.CreateDefault().Policies);
}
