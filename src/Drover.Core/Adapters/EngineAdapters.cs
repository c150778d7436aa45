using Drover.Core.Adapters;

namespace Drover.Core.Adapters;

/// <summary>The providers and forges the engine talks to, by name. Duplicate names are refused.</summary>
public sealed class EngineAdapters
{
    private readonly Dictionary<string, IProvider> _providers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IForge> _forges = new(StringComparer.Ordinal);

    /// <param name="providers">The providers.</param>
    /// <param name="forges">The forges.</param>
    /// <param name="demandSources">
    /// Demand sources besides the providers and forges that are one themselves (e.g. the demo's simulated world).
    /// </param>
    /// <exception cref="ArgumentException">Two providers or two forges share a name.</exception>
    public EngineAdapters(IEnumerable<IProvider> providers, IEnumerable<IForge> forges, IEnumerable<IDemandSource>? demandSources = null)
    {
        ArgumentNullException.ThrowIfNull(providers);
        ArgumentNullException.ThrowIfNull(forges);
        foreach (var provider in providers)
        {
            if (!_providers.TryAdd(provider.Name, provider))
            {
                throw new ArgumentException($"two providers are named '{provider.Name}'", nameof(providers));
            }
        }

        foreach (var forge in forges)
        {
            if (!_forges.TryAdd(forge.Name, forge))
            {
                throw new ArgumentException($"two forges are named '{forge.Name}'", nameof(forges));
            }
        }

        DemandSources = [.. _forges.Values.OfType<IDemandSource>().Concat(_providers.Values.OfType<IDemandSource>()).Concat(demandSources ?? []).Distinct()];
    }

    /// <summary>Everything that produces job events on its own: forges and providers that are demand sources, and the extras.</summary>
    public IReadOnlyList<IDemandSource> DemandSources { get; }

    /// <summary>Every provider.</summary>
    public IReadOnlyCollection<IProvider> Providers => _providers.Values;

    /// <summary>Every forge.</summary>
    public IReadOnlyCollection<IForge> Forges => _forges.Values;

    /// <summary>The provider named <paramref name="name"/>, or null.</summary>
    public IProvider? Provider(string name) => _providers.GetValueOrDefault(name);

    /// <summary>The forge named <paramref name="name"/>, or null.</summary>
    public IForge? Forge(string name) => _forges.GetValueOrDefault(name);
}
