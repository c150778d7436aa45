using Drover.Core.Config;
using Drover.Providers.External.Tests.Support;

namespace Drover.Providers.External.Tests;

public sealed class ExternalModuleTests
{
    private static ConfigLoadResult Load(string settings, string template = "", string executable = "/opt/garm/provider") =>
        new FleetConfigLoader(ExternalHarness.Options()).LoadFromString(ExternalHarness.Fleet(executable, "/etc/garm/provider.toml", settings, template), "fleet.yaml");

    [Fact]
    public void BindSettings_Defaults_AreGarmsAndDocumented()
    {
        var loaded = Load(string.Empty);

        Assert.Empty(loaded.Errors);
        var settings = Assert.IsType<ExternalProviderSettings>(loaded.Config!.Providers.Single().ModuleSettings);
        Assert.Equal("/opt/garm/provider", settings.Executable);
        Assert.Equal("/etc/garm/provider.toml", settings.ConfigFile);
        Assert.Equal("v0.1.0", settings.InterfaceVersion);
        Assert.Equal(TimeSpan.FromMinutes(2), settings.ExecTimeout);
        Assert.Equal(TimeSpan.FromMinutes(10), settings.CreateTimeout);
        Assert.Equal(TimeSpan.FromMinutes(20), settings.BootstrapTimeout);
        Assert.Equal(new Uri("http://127.0.0.1:9/api/v1/callbacks"), settings.CallbackUrl);
        var template = loaded.Config.FindPool("linux")!.Template.For<ExternalTemplateSettings>("external");
        Assert.Equal(("small", "linux", "amd64"), (template!.Flavor, template.OsType, template.Arch));
    }

    [Fact]
    public void BindSettings_AllWritten_AreTyped()
    {
        var loaded = Load(
            "interfaceVersion: v0.1.1\nenvironmentVariables: [AWS_, OS_]\nexecTimeout: 30s\ncreateTimeout: 3m\nbootstrapTimeout: 15m",
            "osType: windows\narch: arm64\nimage: ubuntu:24.04\nextraSpecs: { disk: 40, spot: true, zone: eu-1a, nested: { list: [a, 2] } }\nsshKeys: [\"ssh-ed25519 AAAA\"]\nrunnerGroup: builders");

        Assert.Empty(loaded.Errors);
        var settings = (ExternalProviderSettings)loaded.Config!.Providers.Single().ModuleSettings!;
        Assert.Equal("v0.1.1", settings.InterfaceVersion);
        Assert.Equal(["AWS_", "OS_"], settings.EnvironmentVariables);
        Assert.Equal((TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(15)), (settings.ExecTimeout, settings.CreateTimeout, settings.BootstrapTimeout));
        var template = loaded.Config.FindPool("linux")!.Template.For<ExternalTemplateSettings>("external")!;
        Assert.Equal(("windows", "arm64", "ubuntu:24.04", "builders"), (template.OsType, template.Arch, template.Image, template.RunnerGroup));
        Assert.Equal("""{"disk":40,"spot":true,"zone":"eu-1a","nested":{"list":["a",2]}}""", template.ExtraSpecs!.ToJsonString());
        Assert.Equal(["ssh-ed25519 AAAA"], template.SshKeys);
    }

    [Fact]
    public void BindSettings_RunnerTools_AreSentAsGarmsTools()
    {
        var loaded = Load("runnerTools: [{ os: linux, architecture: x64, downloadUrl: \"https://github.com/actions/runner/releases/download/v2.330.0/actions-runner-linux-x64-2.330.0.tar.gz\", filename: actions-runner-linux-x64-2.330.0.tar.gz, sha256: abc123 }]");

        Assert.Empty(loaded.Errors);
        var tool = Assert.Single(((ExternalProviderSettings)loaded.Config!.Providers.Single().ModuleSettings!).RunnerTools);
        Assert.Equal(("linux", "x64", "actions-runner-linux-x64-2.330.0.tar.gz", "abc123"), (tool.Os, tool.Architecture, tool.FileName, tool.Sha256Checksum));
        Assert.Equal("""{"os":"linux","architecture":"x64","download_url":"https://github.com/actions/runner/releases/download/v2.330.0/actions-runner-linux-x64-2.330.0.tar.gz","filename":"actions-runner-linux-x64-2.330.0.tar.gz","sha256_checksum":"abc123"}""", System.Text.Json.JsonSerializer.Serialize(tool));
    }

    [Theory]
    [InlineData("runnerTools: [{ os: linux, architecture: amd64, downloadUrl: \"https://x.invalid/r.tgz\", filename: r.tgz }]", "providers[0].settings.runnerTools[0].architecture: must be x64, arm64 or arm (GitHub's names), got 'amd64'")]
    [InlineData("runnerTools: [{ os: linux, architecture: x64, filename: r.tgz }]", "providers[0].settings.runnerTools[0].downloadUrl")]
    [InlineData("runnerTools: linux", "providers[0].settings.runnerTools: must be a list")]
    [InlineData("interfaceVersion: v0.2.0", "fleet.yaml:12:25: providers[0].settings.interfaceVersion: must be v0.1.0 or v0.1.1")]
    [InlineData("environmentVariables: [GARM_SECRET]", "providers[0].settings.environmentVariables: 'GARM_SECRET': GARM_* variables are set by Drover")]
    [InlineData("execTimeout: 0s", "providers[0].settings.execTimeout: must be longer than 0s")]
    [InlineData("createTimeout: soon", "fleet.yaml:12:22: providers[0].settings.createTimeout:")]
    [InlineData("exectimeout: 1m", "fleet.yaml:12:7: providers[0].settings.exectimeout:")]
    public void BindSettings_BadValue_IsReportedWhereWritten(string line, string expected)
    {
        var loaded = Load(line);

        Assert.Null(loaded.Config);
        Assert.Contains(loaded.Errors, e => e.ToString().Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void BindSettings_RelativeExecutable_IsRefused()
    {
        var loaded = Load(string.Empty, executable: "bin/provider");

        Assert.Contains(loaded.Errors, e => e.ToString().Contains("fleet.yaml:8:19: providers[0].settings.executable: must be an absolute path", StringComparison.Ordinal));
    }

    [Fact]
    public void BindSettings_Absent_SaysWhatIsRequired()
    {
        const string Yaml = """
            forges:
              - { name: github, kind: github, url: "https://api.github.com", auth: { token: "env:T" } }
            providers:
              - { name: cloud, type: external }
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: cloud }
            """;

        var loaded = new FleetConfigLoader(ExternalHarness.Options()).LoadFromString(Yaml, "fleet.yaml");

        Assert.Contains(loaded.Errors, e => e.ToString().Contains("providers[0].settings: is required for an external provider: at least executable, callbackUrl and metadataUrl", StringComparison.Ordinal));
    }

    [Fact]
    public void BindSettings_MissingUrls_AreEachRequired()
    {
        const string Yaml = """
            forges:
              - { name: github, kind: github, url: "https://api.github.com", auth: { token: "env:T" } }
            providers:
              - { name: cloud, type: external, settings: { executable: /opt/p } }
            pools:
              - { name: linux, forge: github, scope: { org: acme }, labels: [linux], provider: cloud }
            """;

        var loaded = new FleetConfigLoader(ExternalHarness.Options()).LoadFromString(Yaml, "fleet.yaml");

        Assert.Contains(loaded.Errors, e => e.ToString().StartsWith("fleet.yaml:4:", StringComparison.Ordinal) && e.ToString().Contains("callbackUrl", StringComparison.Ordinal));
        Assert.Contains(loaded.Errors, e => e.ToString().Contains("metadataUrl", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("osType: macos", "pools[0].template.external.osType: must be one of linux, windows")]
    [InlineData("arch: x86_64", "pools[0].template.external.arch: must be one of amd64, arm64, arm, i386 (GARM's names)")]
    [InlineData("extraSpecs: [a, b]", "pools[0].template.external.extraSpecs: must be a mapping")]
    [InlineData("flavour: big", "pools[0].template.external.flavour:")]
    public void BindTemplate_BadValue_IsReportedWhereWritten(string line, string expected)
    {
        var loaded = Load(string.Empty, line);

        Assert.Contains(loaded.Errors, e => e.ToString().StartsWith("fleet.yaml:", StringComparison.Ordinal) && e.ToString().Contains(expected, StringComparison.Ordinal));
    }
}
