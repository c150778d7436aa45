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

    /// <inheritdoc/>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => null;

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
