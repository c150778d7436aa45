using Drover.Core.Config;
using k8s.Models;

namespace Drover.Providers.Kubernetes;

/// <summary>
/// Renders a runner's pod and the secret holding its credential. Pure: the same spec gives the same objects, which the
/// golden tests compare with reviewed YAML files (tests/Drover.Providers.Kubernetes.Tests/golden).
/// </summary>
internal static class PodTemplate
{
    /// <summary>The secret key the credential is stored under.</summary>
    public const string CredentialKey = "credential";

    private const string WorkPath = "/home/runner/_work";

    /// <summary>The default runner images per credential kind, used when the pool's template names none.</summary>
    public static string DefaultImage(string credentialKind) =>
        credentialKind == "runner-token" ? "gitlab/gitlab-runner:latest" : "ghcr.io/actions/actions-runner:latest";

    /// <summary>Requests and limits of a named profile: CPU, memory.</summary>
    public static (string Cpu, string Memory) Profile(ResourceProfile profile) => Core.Cost.InstanceResources.Profile(profile);

    /// <summary>The labels every object of the runner carries; the provider lists its pods by the first two.</summary>
    public static Dictionary<string, string> Labels(RunnerPodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [KubernetesNames.ManagedBy] = "drover",
            [KubernetesNames.Controller] = spec.ControllerId,
            [KubernetesNames.Provider] = spec.Provider,
            [KubernetesNames.Pool] = spec.Pool,
            [KubernetesNames.Runner] = KubernetesNames.ForKey(spec.IdempotencyKey),
        };
    }

    /// <summary>The runner's pod.</summary>
    public static V1Pod Pod(RunnerPodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var name = KubernetesNames.ForKey(spec.IdempotencyKey);
        var s = spec.Settings;
        var volumes = new List<V1Volume>();
        var mounts = new List<V1VolumeMount>();
        var containers = new List<V1Container>();
        var env = new List<V1EnvVar>(CredentialEnv(spec, name));

        switch (s.ContainerMode)
        {
            case ContainerMode.Dind:
                volumes.Add(new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() });
                volumes.Add(new V1Volume { Name = "dind-sock", EmptyDir = new V1EmptyDirVolumeSource() });
                mounts.Add(new V1VolumeMount { Name = "work", MountPath = WorkPath });
                mounts.Add(new V1VolumeMount { Name = "dind-sock", MountPath = "/var/run" });
                env.Add(new V1EnvVar { Name = "DOCKER_HOST", Value = "unix:///var/run/docker.sock" });
                containers.Add(new V1Container
                {
                    Name = "dind",
                    Image = s.DindImage,
                    Args = ["dockerd", "--host=unix:///var/run/docker.sock", "--group=" + s.RunAsUser],
                    Env = [new V1EnvVar { Name = "DOCKER_TLS_CERTDIR", Value = string.Empty }],
                    SecurityContext = new V1SecurityContext { Privileged = true },
                    VolumeMounts = [new V1VolumeMount { Name = "work", MountPath = WorkPath }, new V1VolumeMount { Name = "dind-sock", MountPath = "/var/run" }],
                });
                break;
            case ContainerMode.Kubernetes:
                volumes.Add(new V1Volume
                {
                    Name = "work",
                    Ephemeral = new V1EphemeralVolumeSource
                    {
                        VolumeClaimTemplate = new V1PersistentVolumeClaimTemplate
                        {
                            Spec = new V1PersistentVolumeClaimSpec
                            {
                                AccessModes = ["ReadWriteOnce"],
                                StorageClassName = s.WorkStorageClass,
                                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(s.WorkVolumeSize) } },
                            },
                        },
                    },
                });
                mounts.Add(new V1VolumeMount { Name = "work", MountPath = WorkPath });
                env.Add(new V1EnvVar { Name = "ACTIONS_RUNNER_CONTAINER_HOOKS", Value = "/home/runner/k8s/index.js" });
                env.Add(new V1EnvVar { Name = "ACTIONS_RUNNER_POD_NAME", ValueFrom = new V1EnvVarSource { FieldRef = new V1ObjectFieldSelector { FieldPath = "metadata.name" } } });
                env.Add(new V1EnvVar { Name = "ACTIONS_RUNNER_REQUIRE_JOB_CONTAINER", Value = "true" });
                break;
            default:
                volumes.Add(new V1Volume { Name = "work", EmptyDir = new V1EmptyDirVolumeSource() });
                mounts.Add(new V1VolumeMount { Name = "work", MountPath = WorkPath });
                break;
        }

        if (s.ReadOnlyRootFilesystem)
        {
            volumes.Add(new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() });
            mounts.Add(new V1VolumeMount { Name = "tmp", MountPath = "/tmp" });
        }

        if (s.CachePath is { } cachePath)
        {
            volumes.Add(new V1Volume { Name = "cache", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = KubernetesNames.CacheClaim(spec.Pool) } });
            mounts.Add(new V1VolumeMount { Name = "cache", MountPath = cachePath });
        }

        var runner = new V1Container
        {
            Name = "runner",
            Image = spec.Template.Image ?? DefaultImage(spec.CredentialKind),
            Command = [.. s.Command ?? DefaultCommand(spec.CredentialKind)],
            Env = env,
            Resources = Resources(spec.Template),
            VolumeMounts = mounts,
            SecurityContext = s.Hardening
                ? new V1SecurityContext
                {
                    RunAsNonRoot = true,
                    RunAsUser = s.RunAsUser,
                    AllowPrivilegeEscalation = false,
                    Capabilities = new V1Capabilities { Drop = ["ALL"] },
                    ReadOnlyRootFilesystem = s.ReadOnlyRootFilesystem,
                    SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
                }
                : null,
        };
        containers.Insert(0, runner);

        var tolerations = new List<V1Toleration>(s.Tolerations);
        if (spec.Template.Gpu > 0)
        {
            tolerations.Add(new V1Toleration { Key = "nvidia.com/gpu", OperatorProperty = "Exists", Effect = "NoSchedule" });
        }

        var affinity = SpotAffinity(spec, tolerations);
        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = spec.Namespace,
                Labels = Labels(spec),
                Annotations = new Dictionary<string, string>(StringComparer.Ordinal) { [KubernetesNames.IdempotencyKey] = spec.IdempotencyKey },
            },
            Spec = new V1PodSpec
            {
                RestartPolicy = "Never",
                AutomountServiceAccountToken = s.ContainerMode == ContainerMode.Kubernetes,
                ServiceAccountName = s.ServiceAccountName,
                PriorityClassName = s.PriorityClassName,
                NodeSelector = s.NodeSelector.Count == 0 ? null : s.NodeSelector.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                Tolerations = tolerations.Count == 0 ? null : tolerations,
                Affinity = affinity,
                SecurityContext = s.Hardening ? new V1PodSecurityContext { SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" }, FsGroup = s.RunAsUser } : null,
                Containers = containers,
                Volumes = volumes,
            },
        };
    }

    /// <summary>The secret holding the credential, owned by the pod (<paramref name="podUid"/>) so it goes with it.</summary>
    public static V1Secret Secret(RunnerPodSpec spec, string credential, string? podUid)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var name = KubernetesNames.ForKey(spec.IdempotencyKey);
        return new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Type = "Opaque",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = spec.Namespace,
                Labels = Labels(spec),
                OwnerReferences = podUid is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Pod", Name = name, Uid = podUid }],
            },
            StringData = new Dictionary<string, string>(StringComparer.Ordinal) { [CredentialKey] = credential },
        };
    }

    /// <summary>The pool's cache claim, created when missing.</summary>
    public static V1PersistentVolumeClaim CacheClaim(RunnerPodSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var labels = Labels(spec);
        labels.Remove(KubernetesNames.Runner);
        return new V1PersistentVolumeClaim
        {
            ApiVersion = "v1",
            Kind = "PersistentVolumeClaim",
            Metadata = new V1ObjectMeta { Name = KubernetesNames.CacheClaim(spec.Pool), NamespaceProperty = spec.Namespace, Labels = labels },
            Spec = new V1PersistentVolumeClaimSpec
            {
                AccessModes = [spec.Settings.CacheAccessMode],
                StorageClassName = spec.Settings.CacheStorageClass,
                Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(spec.Settings.CacheSize) } },
            },
        };
    }

    private static IEnumerable<V1EnvVar> CredentialEnv(RunnerPodSpec spec, string secretName)
    {
        V1EnvVarSource FromSecret() => new() { SecretKeyRef = new V1SecretKeySelector { Name = secretName, Key = CredentialKey } };
        if (spec.CredentialKind == "runner-token")
        {
            yield return new V1EnvVar { Name = "CI_SERVER_TOKEN", ValueFrom = FromSecret() };
            if (spec.ForgeUrl is { } url)
            {
                yield return new V1EnvVar { Name = "CI_SERVER_URL", Value = url.GetLeftPart(UriPartial.Authority) };
            }

            yield break;
        }

        yield return new V1EnvVar { Name = "ACTIONS_RUNNER_INPUT_JITCONFIG", ValueFrom = FromSecret() };
    }

    private static IReadOnlyList<string> DefaultCommand(string credentialKind) => credentialKind == "runner-token"
        ? ["gitlab-runner", "run-single", "--executor", "shell", "--max-builds", "1", "--wait-timeout", "600"]
        : ["/home/runner/run.sh"];

    private static V1ResourceRequirements Resources(InstanceTemplate template)
    {
        var (cpu, memory) = template.Profile is { } profile ? Profile(profile) : (template.Cpu, template.Memory);
        var requests = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        var limits = new Dictionary<string, ResourceQuantity>(StringComparer.Ordinal);
        if (cpu is not null)
        {
            requests["cpu"] = new ResourceQuantity(cpu);
        }

        if (memory is not null)
        {
            requests["memory"] = new ResourceQuantity(memory);
            limits["memory"] = new ResourceQuantity(memory);
        }

        if (template.Gpu > 0)
        {
            var gpus = template.Gpu.ToString(System.Globalization.CultureInfo.InvariantCulture);
            requests["nvidia.com/gpu"] = new ResourceQuantity(gpus);
            limits["nvidia.com/gpu"] = new ResourceQuantity(gpus);
        }

        return new V1ResourceRequirements { Requests = requests.Count == 0 ? null : requests, Limits = limits.Count == 0 ? null : limits };
    }

    /// <summary>
    /// Spot placement: <c>prefer</c> asks for spot nodes (preferred affinity, tolerating their taint) until the pool falls
    /// back, then keeps off them; <c>require</c> insists on spot nodes.
    /// </summary>
    private static V1Affinity? SpotAffinity(RunnerPodSpec spec, List<V1Toleration> tolerations)
    {
        var term = (string op) => new V1NodeSelectorTerm
        {
            MatchExpressions = [new V1NodeSelectorRequirement { Key = spec.SpotNodeLabel.Key, OperatorProperty = op, Values = [spec.SpotNodeLabel.Value] }],
        };
        switch (spec.Template.Spot)
        {
            case SpotPreference.Prefer when spec.SpotFallback:
                return new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [term("NotIn")] } } };
            case SpotPreference.Prefer:
                AddSpotToleration(spec, tolerations);
                return new V1Affinity
                {
                    NodeAffinity = new V1NodeAffinity
                    {
                        PreferredDuringSchedulingIgnoredDuringExecution = [new V1PreferredSchedulingTerm { Weight = 100, Preference = term("In") }],
                    },
                };
            case SpotPreference.Require:
                AddSpotToleration(spec, tolerations);
                return new V1Affinity { NodeAffinity = new V1NodeAffinity { RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [term("In")] } } };
            default:
                return null;
        }
    }

    private static void AddSpotToleration(RunnerPodSpec spec, List<V1Toleration> tolerations)
    {
        if (spec.SpotTaint is { } taint && KubernetesTemplateSettings.ParseToleration(taint) is { } toleration)
        {
            tolerations.Add(toleration);
        }
    }
}
