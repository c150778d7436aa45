namespace Drover.Core.Adapters;

/// <summary>
/// A provider module whose providers live in a world of their own, together with that world's forges and demand
/// (the simulated world of the demo). When every provider of a fleet is of its type, the module builds all of the
/// fleet's adapters; next to providers of other types it refuses to run.
/// </summary>
public interface IWorldModule : IProviderModule
{
    /// <summary>Builds the world's providers, forges and demand sources for <see cref="AdapterContext.Fleet"/>.</summary>
    /// <exception cref="AdapterConfigurationException">The fleet cannot run in this world.</exception>
    EngineAdapters BuildWorld(AdapterContext context);
}
