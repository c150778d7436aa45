using System.Security.Cryptography;
using Drover.Core.Adapters;
using Drover.Core.Config;
using Microsoft.Extensions.Logging;
using k8s;

namespace Drover.Providers.Kubernetes;

/// <summary>Makes <c>kubernetes</c> providers for the adapter catalog.</summary>
internal static class KubernetesProviderFactory
{
    /// <summary>The provider type this factory serves.</summary>
    public const string Type = "kubernetes";

    /// <summary>
    /// Builds the provider <paramref name="config"/> describes, after checking the template settings of every pool that
    /// runs on it, and starts its pod cache (list and watch in the background; nothing is created or deleted until the
    /// engine calls it).
    /// </summary>
    /// <exception cref="ArgumentException">A setting is wrong; the message names each by provider or pool and key.</exception>
    public static IProvider Create(ProviderConfig config, AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(context);
        var settings = KubernetesProviderSettings.Parse(config);
        var problems = new List<string>();
        foreach (var pool in context.Fleet.Pools.Where(p => p.Placement.Any(r => r.Name == config.Name)))
        {
            KubernetesTemplateSettings.Read(pool.Template, out var found);
            problems.AddRange(found.Select(p => $"pools[{pool.Name}].template.settings.{p.Key}: {p.Message}"));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems));
        }

        var api = new KubernetesPodApi(new k8s.Kubernetes(ClientConfiguration(settings)), settings.Namespace, settings.ProviderName, context.Time);
        var jitter = new Random(RandomNumberGenerator.GetInt32(int.MaxValue));
        var provider = new KubernetesProvider(settings, api, context.CurrentFleet, context.Vault, context.Time, jitter, context.Logs.CreateLogger("Drover.Providers.Kubernetes"));
        provider.Start();
        return provider;
    }

    /// <summary>The client configuration: the kubeconfig file and context when set, in-cluster when running in a pod, else the default kubeconfig.</summary>
    public static KubernetesClientConfiguration ClientConfiguration(KubernetesProviderSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Kubeconfig is { } path)
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"providers[{settings.ProviderName}].settings.kubeconfig: file '{path}' does not exist");
            }

            return KubernetesClientConfiguration.BuildConfigFromConfigFile(path, settings.Context);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: settings.Context);
    }
}
