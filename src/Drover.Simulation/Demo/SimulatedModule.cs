using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Simulation.Demo;

/// <summary>
/// The <c>simulated</c> provider module: providers of the simulated world. A fleet whose providers are all simulated
/// runs in that world (the demo): its forges replay a synthetic load and its providers boot pretend instances.
/// A simulated provider next to real ones is refused at start-up.
/// </summary>
public sealed class SimulatedModule : IWorldModule
{
    /// <summary>The provider type.</summary>
    public const string TypeName = "simulated";

    private readonly DemoOptions _options;

    /// <param name="options">Speed, boot times and load of the world; <see cref="DemoOptions.Default"/> when null.</param>
    public SimulatedModule(DemoOptions? options = null) => _options = options ?? DemoOptions.Default;

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

    /// <inheritdoc/>
    public EngineAdapters BuildWorld(AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var world = new DemoWorld(context.Fleet, _options, context.Time);
        world.Attach(context.Vault);
        return new EngineAdapters(world.Providers, world.Forges, [world]);
    }
}
