using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// Everything Drover knows of one provider type: its name, the schema of its <c>providers[i].settings</c> and of each
/// pool's <c>template.&lt;type&gt;</c>, and how to build the provider. <c>validate</c>, <c>plan</c>, <c>simulate</c>,
/// <c>serve</c> and reload all bind through the same module, so whatever validates is what runs: the provider is
/// created from exactly the settings the module bound.
/// </summary>
public interface IProviderModule
{
    /// <summary>The <c>type:</c> of providers this module runs, e.g. <c>kubernetes</c>.</summary>
    string Type { get; }

    /// <summary>
    /// Binds <c>providers[i].settings</c> (possibly absent), reporting every problem through <paramref name="settings"/>.
    /// Returns the typed settings the provider is later built with; when problems were reported the load fails and
    /// the value is not used.
    /// </summary>
    object BindSettings(ConfigSection settings);

    /// <summary>
    /// Binds <c>pools[i].template.&lt;type&gt;</c> (possibly absent) of a pool placed on a provider of this type.
    /// <paramref name="legacySettings"/> is the pool's deprecated flat <c>template.settings</c> mapping (possibly absent):
    /// keys the module still reads from there are warned about with the new place. Null when the pool needs nothing.
    /// </summary>
    object? BindTemplate(ConfigSection template, ConfigSection legacySettings);

    /// <summary>
    /// Builds the provider from the settings <see cref="BindSettings"/> returned (<see cref="ProviderConfig.ModuleSettings"/>).
    /// </summary>
    /// <exception cref="AdapterConfigurationException">The environment does not allow it (no kubeconfig, unreadable file).</exception>
    IProvider Create(ProviderConfig provider, AdapterContext context);
}
