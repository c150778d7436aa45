using Drover.Core.Config;
using Drover.Core.Policies;

namespace Drover.Core.Adapters;

/// <summary>
/// The adapter modules this build can run, and what follows from them: the validation options every command loads a
/// fleet with, and the adapters <c>drover serve</c> builds. A fleet naming a type the catalog lacks never validates.
/// </summary>
public sealed class AdapterCatalog
{
    private AdapterModules _modules = AdapterModules.Empty;

    /// <summary>The modules registered so far.</summary>
    public AdapterModules Modules => _modules;

    /// <summary>Registers <paramref name="module"/> (replacing a module of the same type).</summary>
    public AdapterCatalog Add(IProviderModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        _modules = _modules.With(module);
        return this;
    }

    /// <summary>Registers <paramref name="module"/> (replacing a module of the same kind).</summary>
    public AdapterCatalog Add(IForgeModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        _modules = _modules.With(module);
        return this;
    }

    /// <summary>Validation options knowing <paramref name="policies"/> and this catalog's modules.</summary>
    public FleetConfigValidationOptions ValidationOptions(IEnumerable<IScalingPolicy> policies) =>
        FleetConfigValidationOptions.ForPolicies(policies) with { Modules = _modules };

    /// <summary>
    /// Builds an adapter for every provider and forge of <see cref="AdapterContext.Fleet"/>; a fleet whose providers are
    /// all of one <see cref="IWorldModule"/>'s type is built by that module as a whole.
    /// </summary>
    /// <exception cref="AdapterConfigurationException">A provider type or forge kind has no module, or a module cannot build its adapter here.</exception>
    public EngineAdapters Build(AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fleet = context.Fleet;
        if (fleet.Providers.Count > 0 && _modules.Provider(fleet.Providers[0].Type) is IWorldModule world
            && fleet.Providers.All(p => p.Type == world.Type))
        {
            // The world brings its own forges: the fleet's forge kinds need no module of their own.
            return world.BuildWorld(context);
        }

        var missing = fleet.Providers.Where(p => _modules.Provider(p.Type) is null).Select(p => $"provider '{p.Name}' of type '{p.Type}'")
            .Concat(fleet.Forges.Where(f => _modules.Forge(f.Kind) is null).Select(f => $"forge '{f.Name}' of kind '{f.Kind.ToString().ToLowerInvariant()}'"))
            .ToList();
        if (missing.Count > 0)
        {
            var available = string.Join(", ", _modules.ProviderTypes);
            throw new AdapterConfigurationException(
                $"this build cannot run {string.Join("; ", missing)} (provider types available: {(available.Length == 0 ? "none" : available)})");
        }

        var providers = fleet.Providers.Select(p => _modules.Provider(p.Type)!.Create(p, context)).ToList();
        var forges = fleet.Forges.Select(f => _modules.Forge(f.Kind)!.Create(f, context)).ToList();
        return new EngineAdapters(providers, forges);
    }
}
