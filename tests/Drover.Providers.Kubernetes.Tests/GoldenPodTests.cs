using Drover.Core.Config;
using Drover.Providers.Kubernetes;
using k8s;

namespace Drover.Providers.Kubernetes.Tests;

/// <summary>
/// The rendered pod for each container mode, profile and placement equals a reviewed file in <c>golden/</c>. To review a
/// deliberate change, run with <c>DROVER_UPDATE_GOLDEN=1</c>, read the diff of the files, and commit them.
/// </summary>
public sealed class GoldenPodTests
{
    public static TheoryData<string> Cases => [.. Specs.Keys.Order(StringComparer.Ordinal)];

    private static readonly Dictionary<string, Func<RunnerPodSpec>> Specs = new(StringComparer.Ordinal)
    {
        ["plain-small"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Small }),
        ["plain-medium"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Medium }),
        ["plain-large"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Large }),
        ["plain-xlarge"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.XLarge, Image = "ghcr.io/acme/runner:2.330.0" }),
        ["dind-medium"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Medium, Settings = Settings(("containerMode", "dind")) }),
        ["kubernetes-medium"] = () => Spec(new InstanceTemplate
        {
            Profile = ResourceProfile.Medium,
            Settings = Settings(("containerMode", "kubernetes"), ("serviceAccountName", "drover-runner-hooks"), ("workVolumeSize", "20Gi"), ("workStorageClass", "fast")),
        }),
        ["gpu-spot-prefer"] = () => Spec(
            new InstanceTemplate { Profile = ResourceProfile.Large, Gpu = 1, Spot = SpotPreference.Prefer, Settings = Settings(("nodeSelector", "nvidia.com/gpu.product=A10G"), ("priorityClassName", "ci-high")) },
            spotTaint: "karpenter.sh/capacity-type=spot:NoSchedule"),
        ["spot-prefer-fallen-back"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Small, Spot = SpotPreference.Prefer }, spotFallback: true, spotTaint: "karpenter.sh/capacity-type=spot:NoSchedule"),
        ["spot-require"] = () => Spec(new InstanceTemplate { Profile = ResourceProfile.Small, Spot = SpotPreference.Require, Settings = Settings(("tolerations", "dedicated=ci:NoSchedule")) }, spotTaint: "karpenter.sh/capacity-type=spot:NoSchedule"),
        ["hardening-off-explicit"] = () => Spec(new InstanceTemplate { Cpu = "500m", Memory = "1Gi", Settings = Settings(("hardening", "false")) }),
        ["gitlab-cache-readonly"] = () => Spec(
            new InstanceTemplate { Profile = ResourceProfile.Medium, Settings = Settings(("cachePath", "/cache"), ("readOnlyRootFilesystem", "true"), ("runAsUser", "999")) },
            kind: "runner-token"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void RenderedPod_EqualsTheReviewedFile(string name)
    {
        var yaml = KubernetesYaml.Serialize(PodTemplate.Pod(Specs[name]()));
        var path = Path.Combine(SourceDirectory(), "golden", name + ".yaml");
        if (Environment.GetEnvironmentVariable("DROVER_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, yaml);
        }

        Assert.True(File.Exists(path), $"no reviewed file {path}; run with DROVER_UPDATE_GOLDEN=1 and review it");
        Assert.Equal(File.ReadAllText(path), yaml);
    }

    [Fact]
    public void EveryReviewedFile_HasItsCase()
    {
        var files = Directory.GetFiles(Path.Combine(SourceDirectory(), "golden"), "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);

        Assert.Equal(Specs.Keys.Order(StringComparer.Ordinal), files);
    }

    [Fact]
    public void Secret_HoldsTheCredential_OwnedByThePod_NotInThePod()
    {
        var spec = Spec(new InstanceTemplate());
        var pod = PodTemplate.Pod(spec);
        var secret = PodTemplate.Secret(spec, "jit-secret-value", "uid-1");

        Assert.DoesNotContain("jit-secret-value", KubernetesYaml.Serialize(pod), StringComparison.Ordinal);
        Assert.Equal("jit-secret-value", secret.StringData[PodTemplate.CredentialKey]);
        var owner = Assert.Single(secret.Metadata.OwnerReferences);
        Assert.Equal(("Pod", pod.Metadata.Name, "uid-1"), (owner.Kind, owner.Name, owner.Uid));
        Assert.Equal(pod.Metadata.Name, pod.Spec.Containers[0].Env.Single(e => e.Name == "ACTIONS_RUNNER_INPUT_JITCONFIG").ValueFrom.SecretKeyRef.Name);
    }

    [Theory]
    [InlineData("drover-linux-0", "drover-linux-0")]
    [InlineData("Drover_Linux-0", "drover-linux-0-")]
    public void PodNames_AreValidLabels(string key, string prefix)
    {
        var name = KubernetesNames.ForKey(key);

        Assert.True(KubernetesNames.IsLabel(name), name);
        Assert.StartsWith(prefix, name, StringComparison.Ordinal);
        Assert.True(KubernetesNames.IsLabel(KubernetesNames.ForKey(new string('a', 70) + "-" + key)));
        Assert.NotEqual(KubernetesNames.ForKey(new string('a', 70) + "-1"), KubernetesNames.ForKey(new string('a', 70) + "-2"));
    }

    private static RunnerPodSpec Spec(InstanceTemplate template, string kind = "jit-config", bool spotFallback = false, string? spotTaint = null)
    {
        var settings = KubernetesTemplateSettings.Read(template, out var problems);
        Assert.Empty(problems);
        return new RunnerPodSpec
        {
            ControllerId = "drover",
            Provider = "k8s-east",
            Namespace = "ci-runners",
            Pool = "linux",
            IdempotencyKey = "drover-linux-7",
            CredentialKind = kind,
            ForgeUrl = kind == "runner-token" ? new Uri("https://gitlab.example.com") : new Uri("https://api.github.com"),
            Template = template,
            Settings = settings,
            SpotFallback = spotFallback,
            SpotTaint = spotTaint,
        };
    }

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string file = "") => Path.GetDirectoryName(file)!;
}
