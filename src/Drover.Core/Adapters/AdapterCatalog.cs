using Drover.Core.Adapters;
using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// The provider types and forge kinds this build can run, each with the factory that makes its adapter from the
/// configuration. <c>drover serve</c> builds its <see cref="EngineAdapters"/> here; a fleet naming a type the catalog
/// lacks is refused at start-up with every missing type listed.
/// </summary>
public sealed class AdapterCatalog
{
    private readonly Dictionary<string, Func<ProviderConfig, AdapterContext, IProvider>> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<ForgeKind, Func<ForgeConfig, AdapterContext, IForge>> _forges = [];
    private readonly Dictionary<string, Func<IReadOnlyDictionary<string, string>, IEnumerable<ProviderSettingError>>> _settingChecks = new(StringComparer.Ordinal);

    /// <summary>
    /// Registers (or replaces) the factory for providers of <paramref name="type"/>, and optionally the check of their
    /// <c>settings</c> that <c>drover validate</c> and start-up run (see <see cref="ValidationOptions"/>).
    /// </summary>
    public AdapterCatalog AddProvider(
        string type,
        Func<ProviderConfig, AdapterContext, IProvider> factory,
        Func<IReadOnlyDictionary<string, string>, IEnumerable<ProviderSettingError>>? checkSettings = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        _providers[type] = factory ?? throw new ArgumentNullException(nameof(factory));
        if (checkSettings is not null)
        {
            _settingChecks[type] = checkSettings;
        }

        return this;
    }

    /// <summary>Validation options knowing <paramref name="policies"/> and this catalog's provider settings checks.</summary>
    public FleetConfigValidationOptions ValidationOptions(IEnumerable<Core.Policies.IScalingPolicy> policies) =>
        FleetConfigValidationOptions.ForPolicies(policies) with
        {
            ValidateProviderSettings = (type, settings) => _settingChecks.TryGetValue(type, out var check) ? check(settings) : [],
        };

    /// <summary>Registers (or replaces) the factory for forges of <paramref name="kind"/>.</summary>
    public AdapterCatalog AddForge(ForgeKind kind, Func<ForgeConfig, AdapterContext, IForge> factory)
    {
        _forges[kind] = factory ?? throw new ArgumentNullException(nameof(factory));
        return this;
    }

    /// <summary>Builds an adapter for every provider and forge of <see cref="AdapterContext.Fleet"/>.</summary>
    /// <exception cref="InvalidOperationException">A provider type or forge kind has no factory; the message lists each.</exception>
    public EngineAdapters Build(AdapterContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var fleet = context.Fleet;
        var missing = fleet.Providers.Where(p => !_providers.ContainsKey(p.Type)).Select(p => $"provider '{p.Name}' of type '{p.Type}'")
            .Concat(fleet.Forges.Where(f => !_forges.ContainsKey(f.Kind)).Select(f => $"forge '{f.Name}' of kind '{f.Kind.ToString().ToLowerInvariant()}'"))
            .ToList();
        if (missing.Count > 0)
        {
            var available = string.Join(", ", _providers.Keys.Order(StringComparer.Ordinal));
            throw new InvalidOperationException(
                $"this build cannot run {string.Join("; ", missing)} (provider types available: {(available.Length == 0 ? "none" : available)})");
        }

        var providers = fleet.Providers.Select(p => _providers[p.Type](p, context)).ToList();
        var forges = fleet.Forges.Select(f => _forges[f.Kind](f, context)).ToList();
        return new EngineAdapters(providers, forges);
    }
}
