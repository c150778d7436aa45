using Drover.Core.Config;
using static Drover.Core.Tests.Config.ConfigYaml;

namespace Drover.Core.Tests.Config;

public sealed class ReloadRulesTests
{
    private static readonly string Running = Fleet(Pool());

    [Fact]
    public void SameProvidersAndForges_PoolChanges_AreNotRefused()
    {
        var next = Load(Fleet(Pool(extra: "max: 7"), Pool(name: "gpu", labels: "labels: [gpu]")));

        Assert.Empty(ReloadRules.AdapterChanges(Config(Running), next));
    }

    [Fact]
    public void ProviderSettingsChanged_IsRefusedAtTheSettings_NamingTheKeyNotTheValue()
    {
        var running = Running.Replace("    type: kubernetes", "    type: kubernetes\n    settings: { namespace: ci }", StringComparison.Ordinal);
        var next = Load(running.Replace("namespace: ci", "namespace: env:SECRET_NS", StringComparison.Ordinal));

        var error = Assert.Single(ReloadRules.AdapterChanges(Config(running), next));

        Assert.Equal("providers[0].settings", error.Path);
        Assert.Equal(11, error.Line);
        Assert.Contains("provider 'k8s' changed its settings (namespace)", error.Message, StringComparison.Ordinal);
        Assert.Contains("restart", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRET_NS", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void ProviderAddedOrRemoved_IsRefused()
    {
        var added = Load(Running.Replace("pools:", "  - name: k8s-east\n    type: kubernetes\npools:", StringComparison.Ordinal));
        var removed = Load(Running.Replace("  - name: k8s\n    type: kubernetes\n", "  - name: east\n    type: kubernetes\n", StringComparison.Ordinal)
            .Replace("provider: k8s", "provider: east", StringComparison.Ordinal));

        Assert.Contains(ReloadRules.AdapterChanges(Config(Running), added), e => e.Path == "providers[1]" && e.Message.Contains("provider 'k8s-east' is new", StringComparison.Ordinal));
        var refusals = ReloadRules.AdapterChanges(Config(Running), removed);
        Assert.Contains(refusals, e => e.Message.Contains("provider 'k8s' was removed", StringComparison.Ordinal));
        Assert.Contains(refusals, e => e.Message.Contains("provider 'east' is new", StringComparison.Ordinal));
    }

    [Fact]
    public void ForgeCredentialOrUrlChanged_IsRefusedNamingTheFields()
    {
        var next = Load(Running
            .Replace("auth: { token: env:GITHUB_TOKEN }", "url: https://ghe.example.com/api/v3\n    auth: { token: env:OTHER_TOKEN }", StringComparison.Ordinal));

        var error = Assert.Single(ReloadRules.AdapterChanges(Config(Running), next));

        Assert.Equal("forges[0]", error.Path);
        Assert.Contains("forge 'github' changed its url, auth", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForgePollIntervalChanged_IsRefusedNamingTheField()
    {
        var next = Load(Running.Replace("auth: { token: env:GITHUB_TOKEN }", "auth: { token: env:GITHUB_TOKEN }\n    pollInterval: 15s", StringComparison.Ordinal));

        var error = Assert.Single(ReloadRules.AdapterChanges(Config(Running), next));

        Assert.Equal("forges[0]", error.Path);
        Assert.Contains("forge 'github' changed its pollInterval", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TypedModuleSettings_AreComparedByContent()
    {
        var running = Config(Running);
        var same = running.Providers[0] with { ModuleSettings = new Typed(["a", "b"]) };
        var changed = running.Providers[0] with { ModuleSettings = new Typed(["a", "c"]) };
        var before = running with { Providers = [running.Providers[0] with { ModuleSettings = new Typed(["a", "b"]) }] };

        Assert.Empty(ReloadRules.AdapterChanges(before, new ConfigLoadResult { Config = running with { Providers = [same] } }));
        var error = Assert.Single(ReloadRules.AdapterChanges(before, new ConfigLoadResult { Config = running with { Providers = [changed] } }));
        Assert.Contains("provider 'k8s' changed its settings", error.Message, StringComparison.Ordinal);
    }

    private sealed record Typed(IReadOnlyList<string> Words);

    private static FleetConfig Config(string text)
    {
        var loaded = Load(text);
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return loaded.Config!;
    }
}
