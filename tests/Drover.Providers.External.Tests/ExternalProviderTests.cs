using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Drover.Core.Adapters;
using Drover.Providers.External.Tests.Support;

namespace Drover.Providers.External.Tests;

/// <summary>The exec protocol: GARM's commands, environment, stdin and stdout, exit codes and deadlines.</summary>
public sealed class ExternalProviderTests : IDisposable
{
    private readonly List<ExternalHarness> _harnesses = [];
    private readonly List<string> _scripts = [];

    public void Dispose()
    {
        foreach (var harness in _harnesses)
        {
            harness.Dispose();
        }

        foreach (var directory in _scripts)
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Create_SendsGarmsEnvironmentAndBootstrap_WithATokenNotTheCredential()
    {
        var harness = Harness(Recorder(), hostEnvironment: new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1", ["PATH"] = "/usr/bin", ["HOME"] = "/root", ["GARM_X"] = "no", ["https_proxy"] = "http://proxy:3128" }, settings: "environmentVariables: [AWS_]");

        var id = await harness.Provider.CreateAsync(harness.Request("linux-0001"), CancellationToken.None);

        Assert.Equal("rec-linux-0001", id);
        var environment = RecordedEnvironment(harness, "CreateInstance");
        Assert.Equal("CreateInstance", environment["GARM_COMMAND"]);
        Assert.Equal("ctrl-1234", environment["GARM_CONTROLLER_ID"]);
        Assert.Equal("linux", environment["GARM_POOL_ID"]);
        Assert.Equal("v0.1.0", environment["GARM_INTERFACE_VERSION"]);
        Assert.Equal(harness.ConfigFile, environment["GARM_PROVIDER_CONFIG_FILE"]);
        Assert.Equal("eu-west-1", environment["AWS_REGION"]);
        Assert.Equal("http://proxy:3128", environment["https_proxy"]);
        Assert.False(environment.ContainsKey("PATH"), "GARM gives the executable a clean environment");
        Assert.False(environment.ContainsKey("HOME"));
        Assert.False(environment.ContainsKey("GARM_X"));
        Assert.False(environment.ContainsKey("GARM_POOL_EXTRASPECS"), "a v0.1.1 variable");
        Assert.False(environment.ContainsKey("GARM_INSTANCE_ID"));

        var stdin = File.ReadAllText(Path.Combine(harness.StateDir, "CreateInstance.stdin"));
        Assert.DoesNotContain("jit-secret-value", stdin, StringComparison.Ordinal);
        using var bootstrap = JsonDocument.Parse(stdin);
        var root = bootstrap.RootElement;
        Assert.Equal("linux-0001", root.GetProperty("name").GetString());
        Assert.Equal("http://127.0.0.1:9/api/v1/callbacks", root.GetProperty("callback-url").GetString());
        Assert.Equal("http://127.0.0.1:9/api/v1/metadata", root.GetProperty("metadata-url").GetString());
        Assert.Equal("https://github.com/acme/api", root.GetProperty("repo_url").GetString());
        Assert.Equal(("linux", "amd64", "small", "linux"), (root.GetProperty("os_type").GetString(), root.GetProperty("arch").GetString(), root.GetProperty("flavor").GetString(), root.GetProperty("pool_id").GetString()));
        Assert.True(root.GetProperty("jit_config_enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("tools").ValueKind);
        Assert.Equal(JsonValueKind.Object, root.GetProperty("extra_specs").ValueKind);
        Assert.Equal(0, root.GetProperty("labels").GetArrayLength());
        var session = harness.Context.Bootstrap.Authenticate(root.GetProperty("instance-token").GetString());
        Assert.NotNull(session);
        Assert.Equal(("linux", "linux-0001", "jit-config"), (session.Pool, session.RunnerName, session.CredentialKind));
        Assert.Equal("jit-secret-value", harness.Context.Bootstrap.ReadCredential(root.GetProperty("instance-token").GetString())?.Reveal());
        Assert.Equal(0, harness.Vault.Count);
    }

    [Fact]
    public async Task Create_WithoutJit_SendsGarmsLabels_AndTheConfiguredTools()
    {
        var harness = Harness(Recorder(), settings: "runnerTools: [{ os: linux, architecture: x64, downloadUrl: \"https://example.invalid/runner.tgz\", filename: runner.tgz }]");

        await harness.Provider.CreateAsync(harness.Request("linux-0002", "runner-token", "glrt-secret"), CancellationToken.None);

        using var bootstrap = JsonDocument.Parse(File.ReadAllText(Path.Combine(harness.StateDir, "CreateInstance.stdin")));
        Assert.DoesNotContain("glrt-secret", bootstrap.RootElement.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("https://example.invalid/runner.tgz", bootstrap.RootElement.GetProperty("tools")[0].GetProperty("download_url").GetString());
        Assert.False(bootstrap.RootElement.GetProperty("jit_config_enabled").GetBoolean());
        Assert.Equal(["linux", "runner-controller-id=ctrl-1234", "runner-pool-id=linux"], bootstrap.RootElement.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!));
    }

    [Fact]
    public async Task V011_PassesThePoolAndItsExtraSpecs_OnEveryCommand()
    {
        var harness = Harness(Recorder(), settings: "interfaceVersion: v0.1.1", template: "extraSpecs: { disk: 40 }");
        var id = await harness.Provider.CreateAsync(harness.Request("linux-0003"), CancellationToken.None);

        await harness.Provider.DeleteAsync(id, CancellationToken.None);

        var environment = RecordedEnvironment(harness, "DeleteInstance");
        Assert.Equal(("DeleteInstance", "rec-linux-0003", "linux", "v0.1.1"), (environment["GARM_COMMAND"], environment["GARM_INSTANCE_ID"], environment["GARM_POOL_ID"], environment["GARM_INTERFACE_VERSION"]));
        Assert.Equal("""{"disk":40}""", Encoding.UTF8.GetString(Convert.FromBase64String(environment["GARM_POOL_EXTRASPECS"])));
    }

    [Fact]
    public async Task GarmExactProvider_CreateListDelete_ProviderIdIsNotTheName_DeleteTwiceSucceeds()
    {
        var harness = Harness(ExternalHarness.Executable("garm-exact-provider"));

        var id = await harness.Provider.CreateAsync(harness.Request("linux-0004"), CancellationToken.None);
        var listed = await harness.Provider.ListAsync(CancellationToken.None);

        Assert.StartsWith("garm-", id, StringComparison.Ordinal);
        var instance = Assert.Single(listed);
        Assert.Equal((id, "linux-0004", "linux", "cloud"), (instance.InstanceId, instance.IdempotencyKey, instance.Pool, instance.Provider));
        Assert.Null(instance.Failure);
        Assert.Equal(id, await harness.Provider.CreateAsync(harness.Request("linux-0004"), CancellationToken.None));
        Assert.Equal(0, harness.Vault.Count);

        await harness.Provider.DeleteAsync(id, CancellationToken.None);
        await harness.Provider.DeleteAsync(id, CancellationToken.None);

        Assert.Empty(await harness.Provider.ListAsync(CancellationToken.None));
        Assert.Equal(0, harness.Context.Bootstrap.Count);
        Assert.Equal(Core.Adapters.ComponentStatus.Ok, harness.Provider.Health().Status);
        Assert.Contains(harness.Logs.Messages, m => m.Contains("deleted instance " + id + " (it was already gone)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_ExitsNonZero_FailsWithTheProvidersWords_TokenBlankedAndClosed()
    {
        var harness = Harness(ExternalHarness.Executable("garm-exact-provider"), "fail_create = \"quota exceeded in eu-west-1\"");

        var error = await Assert.ThrowsAsync<ExternalProviderException>(() => harness.Provider.CreateAsync(harness.Request("linux-0005"), CancellationToken.None));

        Assert.Contains("CreateInstance (linux-0005): garm-exact-provider exited with code 1; stderr: garm-exact-provider: quota exceeded in eu-west-1 (token [instance-token])", error.Message, StringComparison.Ordinal);
        Assert.Equal(CallFailureKind.Transient, error.FailureKind);
        Assert.Equal(0, harness.Context.Bootstrap.Count);
        Assert.Equal(Core.Adapters.ComponentStatus.Degraded, harness.Provider.Health().Status);
        Assert.Contains(harness.Logs.Messages, m => m.Contains("quota exceeded", StringComparison.Ordinal));
        Assert.DoesNotContain(harness.Logs.Messages, m => m.Contains("jit-secret-value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_WritesWhatIsNotJson_FailsClearly_AndTheInstanceIsDeletedByName()
    {
        var harness = Harness(ExternalHarness.Executable("garm-exact-provider"), "bad_json = true");

        var error = await Assert.ThrowsAsync<ExternalProviderException>(() => harness.Provider.CreateAsync(harness.Request("linux-0006"), CancellationToken.None));

        Assert.Contains("wrote what is not the JSON GARM's interface asks for", error.Message, StringComparison.Ordinal);
        Assert.Contains("stdout: created linux-0006", error.Message, StringComparison.Ordinal);
        Assert.Empty(await harness.Provider.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Create_PastItsDeadline_KillsTheProcessTree_AndSaysSo()
    {
        var harness = Harness(ExternalHarness.Executable("garm-exact-provider"), "hang_create = true", settings: "createTimeout: 2s");
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ExternalProviderException>(() => harness.Provider.CreateAsync(harness.Request("linux-0007"), CancellationToken.None));

        Assert.Contains("CreateInstance: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("did not finish within 2 s; its process tree was killed", error.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.DoesNotContain(Process.GetProcesses(), p => ProcFile(p.Id, "cmdline").Contains("garm-exact-provider", StringComparison.Ordinal) && ProcFile(p.Id, "environ").Contains(harness.ConfigFile, StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_AnswerGarmWouldRefuse_FailsInsteadOfListingNothing()
    {
        var harness = Harness(Script("""
            if [ "$GARM_COMMAND" = ListInstances ]; then echo '[{"provider_id":"i-1","name":"linux-1","status":"booting"}]'; fi
            """));

        var error = await Assert.ThrowsAsync<ExternalProviderException>(() => harness.Provider.ListAsync(CancellationToken.None));

        Assert.Contains("listed instances GARM would refuse: [0]: status 'booting' is not one of running, stopped, error, unknown", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_StatusError_IsAFailureWithTheProviderFault()
    {
        var fault = Convert.ToBase64String(Encoding.UTF8.GetBytes("image not found"));
        var harness = Harness(Script($$"""
            if [ "$GARM_COMMAND" = ListInstances ]; then echo '[{"provider_id":"i-1","name":"linux-1","status":"error","provider_fault":"{{fault}}"},{"provider_id":"i-2","name":"linux-2","status":"running"}]'; fi
            """));

        var listed = await harness.Provider.ListAsync(CancellationToken.None);

        Assert.Equal("the external provider reports the instance in status error: image not found", listed.Single(i => i.InstanceId == "i-1").Failure);
        Assert.Null(listed.Single(i => i.InstanceId == "i-2").Failure);
    }

    [Fact]
    public async Task List_StoppedInstance_IsDeletedOnceOldEnough_AndNoLongerListed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
        var harness = Harness(
            Script("""
                state=$(dirname "$GARM_PROVIDER_CONFIG_FILE")/state
                case "$GARM_COMMAND" in
                  ListInstances) if [ -e "$state/deleted" ]; then echo '[]'; else echo '[{"provider_id":"i-1","name":"linux-1","status":"stopped"}]'; fi ;;
                  DeleteInstance) echo "$GARM_INSTANCE_ID" >> "$state/deleted" ;;
                esac
                """),
            time: time);

        var young = await harness.Provider.ListAsync(CancellationToken.None);
        time.Advance(ExternalProvider.StoppedReapAfter);
        var old = await harness.Provider.ListAsync(CancellationToken.None);

        Assert.Equal("i-1", Assert.Single(young).InstanceId);
        Assert.Empty(old);
        Assert.Equal(["i-1"], File.ReadAllLines(Path.Combine(harness.StateDir, "deleted")));
        Assert.Contains(harness.Logs.Messages, m => m.Contains("instance i-1 of runner linux-1 stopped; deleted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_ExitsWithAnotherCode_Fails()
    {
        var harness = Harness(Script("""echo "permission denied for instance $GARM_INSTANCE_ID" >&2; exit 3"""));

        var error = await Assert.ThrowsAsync<ExternalProviderException>(() => harness.Provider.DeleteAsync("i-9", CancellationToken.None));

        Assert.Equal("DeleteInstance (i-9): provider.sh exited with code 3; stderr: permission denied for instance i-9", error.Message);
    }

    [Fact]
    public void Build_MissingExecutable_IsAConfigurationError()
    {
        var error = Assert.Throws<AdapterConfigurationException>(() => Harness("/nonexistent/garm-provider"));

        Assert.Equal("providers[cloud].settings.executable: '/nonexistent/garm-provider' does not exist", error.Message);
    }

    private ExternalHarness Harness(string executable, string providerToml = "", string settings = "", string template = "", IReadOnlyDictionary<string, string>? hostEnvironment = null, TimeProvider? time = null)
    {
        var harness = new ExternalHarness(executable, providerToml, settings, template, hostEnvironment, time);
        _harnesses.Add(harness);
        return harness;
    }

    /// <summary>A provider that records each call's environment and stdin in the state directory and answers as GARM expects.</summary>
    private string Recorder() => Script("""
        state=$(dirname "$GARM_PROVIDER_CONFIG_FILE")/state
        env > "$state/$GARM_COMMAND.env"
        cat > "$state/$GARM_COMMAND.stdin"
        case "$GARM_COMMAND" in
          CreateInstance)
            name=$(sed -n 's/.*"name":"\([^"]*\)".*/\1/p' "$state/CreateInstance.stdin")
            printf '{"provider_id":"rec-%s","name":"%s","status":"running"}' "$name" "$name" ;;
          ListInstances) echo '[]' ;;
        esac
        """);

    private string Script(string body)
    {
        var directory = Directory.CreateTempSubdirectory("drover-external-script-").FullName;
        _scripts.Add(directory);
        var path = Path.Combine(directory, "provider.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }

    private static Dictionary<string, string> RecordedEnvironment(ExternalHarness harness, string command) =>
        File.ReadAllLines(Path.Combine(harness.StateDir, command + ".env"))
            .Where(l => l.Contains('=', StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);

    private static string ProcFile(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{name}").Replace('\0', ' ');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }
}
