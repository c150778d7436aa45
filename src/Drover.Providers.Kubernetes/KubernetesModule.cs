using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.Kubernetes;

/// <summary>The <c>kubernetes</c> provider module: a pod per runner.</summary>
public sealed class KubernetesModule : IProviderModule
{
    private readonly Func<ProviderConfig, AdapterContext, IProvider> _create;

    /// <summary>The module; <paramref name="create"/> replaces how the provider is built (tests).</summary>
    public KubernetesModule(Func<ProviderConfig, AdapterContext, IProvider>? create = null)
    {
        _create = create ?? KubernetesProviderFactory.Create;
    }

    /// <inheritdoc/>
    public string Type => KubernetesProviderFactory.Type;

    /// <inheritdoc/>
    public object BindSettings(ConfigSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var map = settings.StringMap();
        foreach (var error in KubernetesProviderSettings.Check(map))
        {
            settings.Error(error.Key, error.Message);
        }

        return map;
    }

    /// <summary>
    /// Binds the pool's typed <c>template.kubernetes</c> section as the provider will read it, so a wrong container mode or
    /// an unknown key is refused where it is written. The flat <c>template.settings</c> keys are still read for one
    /// release, each with a deprecation warning naming its new place; both at once is refused.
    /// </summary>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(legacySettings);
        var legacy = legacySettings.Exists && legacySettings.IsMapping ? legacySettings.StringMap() : new Dictionary<string, string>();
        if (template.Exists)
        {
            foreach (var key in legacy.Keys.Where(k => KubernetesTemplateSettings.TypedKeys.Contains(k, StringComparer.Ordinal)))
            {
                legacySettings.Error(key, $"written in template.kubernetes too; keep it only there (template.kubernetes.{key})");
            }

            return KubernetesTemplateSettings.Bind(template);
        }

        if (legacy.Count == 0)
        {
            return null;
        }

        var settings = KubernetesTemplateSettings.Read(new InstanceTemplate { Settings = legacy }, out var problems);
        foreach (var problem in problems)
        {
            legacySettings.Error(problem.Key, problem.Message);
        }

        foreach (var key in legacy.Keys.Where(k => KubernetesTemplateSettings.Keys.Contains(k, StringComparer.Ordinal)))
        {
            var place = KubernetesTemplateSettings.ForgeKeys.TryGetValue(key, out var forgePlace) ? $"the pool's {forgePlace}" : $"template.kubernetes.{key}";
            legacySettings.Warn(key, $"deprecated: write it as {place} (template.settings is read for one more release)");
        }

        return problems.Count == 0 ? settings : null;
    }

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(provider);
        try
        {
            return _create(provider, context);
        }
        catch (k8s.Exceptions.KubeConfigException e)
        {
            throw new AdapterConfigurationException(
                $"providers[{provider.Name}]: no usable Kubernetes client configuration ({e.Message}); set settings.kubeconfig to a kubeconfig file, or run in a pod", e);
        }
        catch (ArgumentException e)
        {
            throw new AdapterConfigurationException(e.Message, e);
        }
    }
}
