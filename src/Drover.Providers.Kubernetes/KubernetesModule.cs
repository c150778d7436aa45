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
    /// Checks the pool's <c>template.settings</c> as the provider will read them, so a wrong container mode or an unknown
    /// key is refused where it is written instead of at start-up.
    /// </summary>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(legacySettings);
        if (template.Exists)
        {
            template.Error("typed kubernetes template settings are not read yet; write them under template.settings");
        }

        if (!legacySettings.Exists || !legacySettings.IsMapping)
        {
            return null;
        }

        KubernetesTemplateSettings.Read(new InstanceTemplate { Settings = legacySettings.StringMap() }, out var problems);
        foreach (var problem in problems)
        {
            legacySettings.Error(problem.Key, problem.Message);
        }

        return null;
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
