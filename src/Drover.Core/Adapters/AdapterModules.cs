using Drover.Core.Config;

namespace Drover.Core.Adapters;

/// <summary>
/// The adapter modules of one build, by provider type and forge kind; duplicate names are refused. The composition
/// root (<c>src/Drover/Adapters.cs</c>) lists them; configuration loading binds through them and the server builds
/// its adapters from them.
/// </summary>
public sealed class AdapterModules
{
    private readonly Dictionary<string, IProviderModule> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<ForgeKind, IForgeModule> _forges = [];

    /// <summary>A set without modules: every provider type and forge kind is unknown to it.</summary>
    public static AdapterModules Empty { get; } = new([], []);

    /// <exception cref="ArgumentException">Two modules share a type or kind.</exception>
    public AdapterModules(IEnumerable<IProviderModule> providers, IEnumerable<IForgeModule> forges)
    {
        foreach (var module in providers)
        {
            if (!_providers.TryAdd(module.Type, module))
            {
                throw new ArgumentException($"two provider modules are of type '{module.Type}'", nameof(providers));
            }
        }

        foreach (var module in forges)
        {
            if (!_forges.TryAdd(module.Kind, module))
            {
                throw new ArgumentException($"two forge modules are of kind '{module.Name}'", nameof(forges));
            }
        }
    }

    /// <summary>Every provider module, by type in ordinal order.</summary>
    public IReadOnlyList<IProviderModule> Providers => [.. _providers.Values.OrderBy(m => m.Type, StringComparer.Ordinal)];

    /// <summary>Every forge module.</summary>
    public IReadOnlyList<IForgeModule> Forges => [.. _forges.Values.OrderBy(m => m.Name, StringComparer.Ordinal)];

    /// <summary>The provider types, in ordinal order.</summary>
    public IReadOnlyList<string> ProviderTypes => [.. _providers.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The module of provider type <paramref name="type"/>, or null.</summary>
    public IProviderModule? Provider(string type) => _providers.GetValueOrDefault(type);

    /// <summary>The module of forge kind <paramref name="kind"/>, or null.</summary>
    public IForgeModule? Forge(ForgeKind kind) => _forges.GetValueOrDefault(kind);

    /// <summary>A set with <paramref name="module"/> added, or replacing the module of its type.</summary>
    public AdapterModules With(IProviderModule module) =>
        new([.. _providers.Values.Where(m => m.Type != module.Type), module], _forges.Values);

    /// <summary>A set with <paramref name="module"/> added, or replacing the module of its kind.</summary>
    public AdapterModules With(IForgeModule module) =>
        new(_providers.Values, [.. _forges.Values.Where(m => m.Kind != module.Kind), module]);
}
