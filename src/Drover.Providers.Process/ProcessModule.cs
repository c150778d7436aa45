using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Providers.Process;

/// <summary>The <c>process</c> provider module: runners as child processes of this host.</summary>
public sealed class ProcessModule : IProviderModule
{
    private readonly Func<ProviderConfig, AdapterContext, IProvider> _create;

    /// <summary>The module; <paramref name="create"/> replaces how the provider is built (tests).</summary>
    public ProcessModule(Func<ProviderConfig, AdapterContext, IProvider>? create = null)
    {
        _create = create ?? ProcessProviderFactory.Create;
    }

    /// <inheritdoc/>
    public string Type => ProcessProviderFactory.Type;

    /// <inheritdoc/>
    public object BindSettings(ConfigSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var map = settings.StringMap();
        foreach (var error in ProcessProviderSettings.Check(map))
        {
            settings.Error(error.Key, error.Message);
        }

        return map;
    }

    /// <inheritdoc/>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => null;

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context) => _create(provider, context);
}
