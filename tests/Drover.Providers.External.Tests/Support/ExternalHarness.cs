using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Testing;
using Drover.Testing.Modules;

namespace Drover.Providers.External.Tests.Support;

/// <summary>
/// An external provider built as <c>drover serve</c> builds it: a fleet file loaded through <see cref="ExternalModule"/>
/// (so its settings are bound and checked), one GitHub pool <c>linux</c> on it, and a provider config file in a
/// temporary directory whose state directory holds the instances' records.
/// </summary>
internal sealed class ExternalHarness : IDisposable
{
    private readonly TempDirectory _directory = new("drover-external-");

    public ExternalHarness(string executable, string providerToml = "", string settings = "", string template = "", IReadOnlyDictionary<string, string>? hostEnvironment = null, TimeProvider? time = null)
    {
        Directory.CreateDirectory(StateDir);
        System.IO.File.WriteAllText(ConfigFile, $"state_dir = \"{StateDir}\"\nrunner_command = [\"/bin/sleep\", \"300\"]\n{providerToml}\n");
        var yaml = Fleet(executable, ConfigFile, settings, template);
        var loaded = new FleetConfigLoader(Options()).LoadFromString(yaml, "fleet.yaml");
        Assert.True(loaded.Config is not null, string.Join("\n", loaded.Errors));
        Config = loaded.Config;
        Context = new AdapterContext(Config, Vault, time ?? TimeProvider.System, Logs);
        Provider = ExternalProviderFactory.Build(Config.Providers.Single(), Context, hostEnvironment ?? new Dictionary<string, string>());
    }

    public static string Executable(string name) => Path.Combine(AppContext.BaseDirectory, "Providers", name);

    public string StateDir => _directory.File("state");

    public string ConfigFile => _directory.File("provider.toml");

    public FleetConfig Config { get; }

    public RunnerCredentialVault Vault { get; } = new();

    public ListLogger Logs { get; } = new();

    public AdapterContext Context { get; }

    public ExternalProvider Provider { get; }

    public InstanceRequest Request(string name, string kind = "jit-config", string secret = "jit-secret-value") =>
        new("linux", name, Config.FindPool("linux")!.Template, Vault.Put(name, new RunnerCredential(kind, secret)));

    public string File(string name) => _directory.File(name);

    public static string Fleet(string executable, string configFile, string settings, string template) => $$"""
        controllerId: ctrl-1234
        forges:
          - { name: github, kind: github, url: "https://api.github.com", auth: { token: "env:T" } }
        providers:
          - name: cloud
            type: external
            settings:
              executable: "{{executable}}"
              configFile: "{{configFile}}"
              callbackUrl: "http://127.0.0.1:9/api/v1/callbacks"
              metadataUrl: "http://127.0.0.1:9/api/v1/metadata"
        {{Indent(settings, 6)}}
        pools:
          - name: linux
            forge: github
            scope: { repo: acme/api }
            labels: [linux]
            provider: cloud
            template:
              external:
                flavor: small
        {{Indent(template, 8)}}
        """;

    public static FleetConfigValidationOptions Options() => new AdapterCatalog()
        .Add(new ExternalModule())
        .Add(new TestForgeModule(ForgeKind.GitHub, (_, _) => throw new InvalidOperationException("not built here")))
        .ValidationOptions(PolicyRegistry.CreateDefault().Policies);

    public void Dispose()
    {
        // Whatever a test left: kill the instances' processes by their records, then remove the files.
        foreach (var record in Directory.Exists(StateDir) ? Directory.GetFiles(StateDir, "*.instance").Concat(Directory.GetFiles(StateDir, "*.json")) : [])
        {
            try
            {
                var json = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(record));
                if (json.RootElement.TryGetProperty("pid", out var pid) && pid.ValueKind == System.Text.Json.JsonValueKind.Number)
                {
                    System.Diagnostics.Process.GetProcessById(pid.GetInt32()).Kill(entireProcessTree: true);
                }
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.Text.Json.JsonException or IOException)
            {
                // Gone already, or not a record.
            }
        }

        _directory.Dispose();
    }

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => new string(' ', spaces) + l.TrimStart()));
}
