using k8s;
using k8s.Models;

namespace Drover.Deploy.Tests;

/// <summary>
/// The kustomize overlays in deploy/kubernetes build with the real kubectl, and every document they produce parses
/// strictly into the official client's models (a typo or an unknown field fails). The Prometheus Operator's custom
/// resources are checked by shape, and their alert rules by promtool.
/// </summary>
public sealed class KustomizeTests
{
    private static readonly Dictionary<string, Type> _kinds = new(StringComparer.Ordinal)
    {
        ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Service"] = typeof(V1Service),
        ["v1/PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["networking.k8s.io/v1/NetworkPolicy"] = typeof(V1NetworkPolicy),
        ["rbac.authorization.k8s.io/v1/Role"] = typeof(V1Role),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = typeof(V1RoleBinding),
    };

    private static readonly HashSet<string> _customResources = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule"];

    [ToolFact("kubectl")]
    public void HaOverlay_TwoReplicasWithLeaderElectionOnPostgres_EveryDocumentStrict()
    {
        var documents = Build("ha");

        var deployment = Single<V1Deployment>(documents);
        Assert.Equal(2, deployment.Spec.Replicas);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Contains("--replica-id=$(POD_NAME)", container.Args);
        Assert.Equal("store", container.Env.Single(e => e.Name == "DROVER_STORE").ValueFrom.SecretKeyRef.Key);
        CheckHardened(deployment);
        Assert.Equal("1", Single<V1PodDisruptionBudget>(documents).Spec.MinAvailable.Value);
    }

    [ToolFact("kubectl")]
    public void SmallOverlay_OneReplicaWithSqliteOnAVolume_EveryDocumentStrict()
    {
        var documents = Build("small");

        var deployment = Single<V1Deployment>(documents);
        Assert.Equal(1, deployment.Spec.Replicas);
        Assert.Equal("Recreate", deployment.Spec.Strategy.Type);
        Assert.Equal("sqlite:/var/lib/drover/state.db", deployment.Spec.Template.Spec.Containers[0].Env.Single(e => e.Name == "DROVER_STORE").Value);
        Assert.Equal("drover-data", deployment.Spec.Template.Spec.Volumes.Single(v => v.Name == "data").PersistentVolumeClaim.ClaimName);
        Assert.Equal("drover-data", Single<V1PersistentVolumeClaim>(documents).Metadata.Name);
        CheckHardened(deployment);
    }

    [ToolFact("kubectl")]
    public void Rbac_OnlyPodsSecretsClaimsAndEvents_InTheRunnerNamespace()
    {
        var documents = Build("ha");

        var role = Single<V1Role>(documents);
        Assert.Equal("drover-runners", role.Metadata.NamespaceProperty);
        Assert.All(role.Rules, r => Assert.Equal([string.Empty], r.ApiGroups));
        Assert.Equal(["events", "persistentvolumeclaims", "pods", "secrets"], role.Rules.SelectMany(r => r.Resources).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(role.Rules.SelectMany(r => r.Verbs), v => v is "*" or "update" or "patch" or "escalate" or "bind");
        Assert.DoesNotContain(documents, d => d.Kind is "ClusterRole" or "ClusterRoleBinding");
        var binding = Single<V1RoleBinding>(documents);
        Assert.Equal(("ServiceAccount", "drover", "drover-system"), (binding.Subjects[0].Kind, binding.Subjects[0].Name, binding.Subjects[0].NamespaceProperty));
    }

    [ToolFact("promtool")]
    public void PrometheusRule_AlertRules_PassPromtool()
    {
        var rule = Build("ha").Single(d => d.Kind == "PrometheusRule");
        var spec = rule.Yaml[rule.Yaml.IndexOf("\nspec:\n", StringComparison.Ordinal)..].Replace("\nspec:\n", string.Empty, StringComparison.Ordinal);
        var lines = spec.Split('\n').Select(l => l.StartsWith("  ", StringComparison.Ordinal) ? l[2..] : l);
        var file = Path.Combine(Path.GetTempPath(), $"drover-rules-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, string.Join('\n', lines));
        try
        {
            var output = Tools.Run("promtool", "check", "rules", file);
            Assert.Contains("SUCCESS: 8 rules found", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static List<Document> Build(string overlay)
    {
        var yaml = Tools.Run("kubectl", "kustomize", Path.Combine("deploy", "kubernetes", "overlays", overlay));
        var documents = new List<Document>();
        foreach (var text in yaml.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var meta = KubernetesYaml.Deserialize<KubernetesObject>(text);
            var key = $"{meta.ApiVersion}/{meta.Kind}";
            if (_kinds.TryGetValue(key, out var type))
            {
                // Strict: a field the model does not have (a typo, a wrong level) throws.
                var model = typeof(KubernetesYaml).GetMethods()
                    .Single(m => m.Name == nameof(KubernetesYaml.Deserialize) && m.IsGenericMethod && m.GetParameters().Length == 2 && m.GetParameters()[0].ParameterType == typeof(string))
                    .MakeGenericMethod(type)
                    .Invoke(null, [text, true])!;
                documents.Add(new Document(meta.Kind, text, model));
            }
            else
            {
                Assert.True(_customResources.Contains(key), $"{overlay}: unexpected document {key}");
                documents.Add(new Document(meta.Kind, text, null));
            }
        }

        Assert.Contains(documents, d => d.Kind == "ServiceMonitor");
        return documents;
    }

    private static T Single<T>(List<Document> documents) => Assert.Single(documents.Select(d => d.Model).OfType<T>());

    private static void CheckHardened(V1Deployment deployment)
    {
        var pod = deployment.Spec.Template.Spec;
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.Equal("RuntimeDefault", pod.SecurityContext.SeccompProfile.Type);
        var security = pod.Containers[0].SecurityContext;
        Assert.False(security.AllowPrivilegeEscalation);
        Assert.True(security.ReadOnlyRootFilesystem);
        Assert.Equal(["ALL"], security.Capabilities.Drop);
        Assert.Equal("/readyz", pod.Containers[0].ReadinessProbe.HttpGet.Path);
    }

    private sealed record Document(string Kind, string Yaml, object? Model);
}
