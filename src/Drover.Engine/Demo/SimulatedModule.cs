using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Engine.Demo;

/// <summary>
/// The <c>simulated</c> provider module: providers of the simulated world. A fleet whose providers are all simulated
/// runs in that world (the demo); a simulated provider next to real ones is refused at start-up.
/// </summary>
public sealed class SimulatedModule : IProviderModule
{
    /// <summary>The provider type.</summary>
    public const string TypeName = "simulated";

    /// <inheritdoc/>
    public string Type => TypeName;

    /// <inheritdoc/>
    public object BindSettings(ConfigSection settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Exists)
        {
            settings.Error("a simulated provider takes no settings (the simulated world sets its own boot times)");
        }

        return new Dictionary<string, string>(StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public object? BindTemplate(ConfigSection template, ConfigSection legacySettings) => null;

    /// <inheritdoc/>
    public IProvider Create(ProviderConfig provider, AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(provider);
        throw new AdapterConfigurationException(
            $"provider '{provider.Name}': providers of type 'simulated' run only in a fleet whose providers are all simulated");
    }
}
