using k8s;
using k8s.Models;

namespace Drover.Deploy.Tests;

/// <summary>
/// Renders the Helm chart deploy/helm/drover with the real <c>helm template</c> and parses every document strictly
/// into the official Kubernetes client's models (a typo or an unknown field fails). The Prometheus Operator's custom
/// resources are kept as text; their content is checked by the tests that use them.
/// </summary>
internal static class Chart
{
    public static readonly string Directory = Path.Combine("deploy", "helm", "drover");

    private static readonly Dictionary<string, Type> _kinds = new(StringComparer.Ordinal)
    {
        ["v1/ServiceAccount"] = typeof(V1ServiceAccount),
        ["v1/ConfigMap"] = typeof(V1ConfigMap),
        ["v1/Secret"] = typeof(V1Secret),
        ["v1/Service"] = typeof(V1Service),
        ["v1/PersistentVolumeClaim"] = typeof(V1PersistentVolumeClaim),
        ["apps/v1/Deployment"] = typeof(V1Deployment),
        ["policy/v1/PodDisruptionBudget"] = typeof(V1PodDisruptionBudget),
        ["networking.k8s.io/v1/NetworkPolicy"] = typeof(V1NetworkPolicy),
        ["networking.k8s.io/v1/Ingress"] = typeof(V1Ingress),
        ["rbac.authorization.k8s.io/v1/Role"] = typeof(V1Role),
        ["rbac.authorization.k8s.io/v1/RoleBinding"] = typeof(V1RoleBinding),
    };

    private static readonly HashSet<string> _customResources = ["monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule"];

    /// <summary>The default values (one SQLite replica), plus <paramref name="arguments"/> for helm (e.g. -f, --set).</summary>
    public static List<Document> Render(params string[] arguments)
    {
        var yaml = Tools.Run("helm", ["template", "drover", Directory, "--namespace", "drover-system", .. arguments]);
        var documents = new List<Document>();
        foreach (var text in yaml.Split("\n---\n", StringSplitOptions.RemoveEmptyEntries))
        {
            if (text.Split('\n').All(l => l.Length == 0 || l.StartsWith('#') || l == "---"))
            {
                continue;
            }

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
                Assert.True(_customResources.Contains(key), $"unexpected document {key}");
                documents.Add(new Document(meta.Kind, text, null));
            }
        }

        return documents;
    }

    /// <summary>The HA values file's arguments.</summary>
    public static string[] Ha => ["-f", Path.Combine(Directory, "values-ha.yaml")];

    public static T Single<T>(this List<Document> documents) => Assert.Single(documents.Select(d => d.Model).OfType<T>());

    public static IEnumerable<T> All<T>(this List<Document> documents) => documents.Select(d => d.Model).OfType<T>();

    public sealed record Document(string Kind, string Yaml, object? Model);
}
