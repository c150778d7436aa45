using Drover.Core.Adapters;
using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>A pool's <c>template.kubernetes</c> section, and the flat <c>template.settings</c> it replaces.</summary>
public sealed class KubernetesTemplateBindingTests
{
    private const string Fleet = """
        forges:
          - { name: github, kind: github, auth: { token: env:GITHUB_TOKEN } }
        providers:
          - { name: k8s, type: kubernetes, settings: { namespace: ci } }
        pools:
          - name: linux
            forge: github
            scope: { org: acme }
            labels: [linux]
            provider: k8s
            max: 4
            template:
        TEMPLATE
        """;

    [Fact]
    public void Bind_TypedSection_ReachesTheProviderAsTypedValues()
    {
        var template = Load("""
                  kubernetes:
                    containerMode: dind
                    nodeSelector: { accelerator: nvidia-l4, zone: a }
                    tolerations:
                      - { key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }
                      - { key: dedicated, value: ci }
                    runAsUser: 2000
                    hardening: false
                    command: [/home/runner/run.sh, --once]
            """, out var result);

        Assert.Empty(result.Warnings);
        var settings = KubernetesTemplateSettings.Read(template, out var problems);
        Assert.Empty(problems);
        Assert.Equal(ContainerMode.Dind, settings.ContainerMode);
        Assert.Equal([new("accelerator", "nvidia-l4"), new("zone", "a")], settings.NodeSelector);
        Assert.Collection(
            settings.Tolerations,
            t => Assert.Equal(("nvidia.com/gpu", "Exists", (string?)null, "NoSchedule"), (t.Key, t.OperatorProperty, t.Value, t.Effect)),
            t => Assert.Equal(("dedicated", "Equal", (string?)"ci", (string?)null), (t.Key, t.OperatorProperty, t.Value, t.Effect)));
        Assert.Equal(2000, settings.RunAsUser);
        Assert.False(settings.Hardening);
        Assert.Equal(["/home/runner/run.sh", "--once"], settings.Command!);
    }

    [Fact]
    public void Bind_FlatSettings_StillReadWithADeprecationWarningNamingTheNewPlace()
    {
        var template = Load("""
                  settings: { containerMode: dind, tolerations: "dedicated=ci:NoSchedule", githubRunnerGroupId: "3" }
            """, out var result);

        Assert.Empty(result.Errors);
        Assert.Contains(result.Warnings, w => w.Path == "pools[0].template.settings.containerMode" && w.Message.Contains("template.kubernetes.containerMode", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Path == "pools[0].template.settings.githubRunnerGroupId" && w.Message.Contains("github.runnerGroupId", StringComparison.Ordinal));
        Assert.All(result.Warnings, w => Assert.True(w.Line > 0));
        var settings = KubernetesTemplateSettings.Read(template, out var problems);
        Assert.Empty(problems);
        Assert.Equal(ContainerMode.Dind, settings.ContainerMode);
        Assert.Equal("dedicated", Assert.Single(settings.Tolerations).Key);
    }

    [Fact]
    public void Bind_SameKeyInBothPlaces_IsRefusedWhereTheFlatOneIsWritten()
    {
        Load("""
                  kubernetes: { containerMode: dind }
                  settings: { containerMode: plain }
            """, out var result);

        var error = Assert.Single(result.Errors);
        Assert.Equal("pools[0].template.settings.containerMode", error.Path);
        Assert.Contains("keep it only there", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tolerations: [{ key: a, operator: Exists, value: b }]", "pools[0].template.kubernetes.tolerations[0].value")]
    [InlineData("tolerations: [{ key: a, operator: Maybe }]", "pools[0].template.kubernetes.tolerations[0].operator")]
    [InlineData("tolerations: [{ value: b }]", "pools[0].template.kubernetes.tolerations[0].key")]
    [InlineData("runAsUser: 0", "pools[0].template.kubernetes.runAsUser")]
    [InlineData("cacheSize: lots", "pools[0].template.kubernetes.cacheSize")]
    [InlineData("containerMode: kubernetes", "pools[0].template.kubernetes.serviceAccountName")]
    public void Bind_BadTypedValue_IsReportedAtItsPath(string yaml, string path)
    {
        Load("      kubernetes: { " + yaml + " }", out var result);

        Assert.Contains(result.Errors, e => e.Path == path && e.Line > 0);
    }

    private static InstanceTemplate Load(string template, out ConfigLoadResult result)
    {
        var catalog = new AdapterCatalog().Add(new KubernetesModule());
        var loader = new FleetConfigLoader(catalog.ValidationOptions(PolicyRegistry.CreateDefault().Policies));
        result = loader.LoadFromString(Fleet.Replace("TEMPLATE", template, StringComparison.Ordinal), "fleet.yaml");
        return result.Config?.Pools[0].Template ?? new InstanceTemplate();
    }
}
