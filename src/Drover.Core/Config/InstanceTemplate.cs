namespace Drover.Core.Config;

public enum ResourceProfile
{
    Small,
    Medium,
    Large,
    XLarge,
}

public enum SpotPreference
{
    /// <summary>On-demand capacity only.</summary>
    None,

    /// <summary>Spot first, on-demand when spot cannot be had.</summary>
    Prefer,

    /// <summary>Spot only.</summary>
    Require,
}

/// <summary>What each runner instance of a pool looks like at its provider.</summary>
public sealed record InstanceTemplate
{
    public string? Image { get; init; }

    /// <summary>A named size; mutually exclusive with explicit <see cref="Cpu"/>/<see cref="Memory"/>.</summary>
    public ResourceProfile? Profile { get; init; }

    /// <summary>Explicit CPU, Kubernetes quantity syntax (e.g. <c>2</c>, <c>500m</c>).</summary>
    public string? Cpu { get; init; }

    /// <summary>Explicit memory, Kubernetes quantity syntax (e.g. <c>4Gi</c>).</summary>
    public string? Memory { get; init; }

    public int Gpu { get; init; }

    public SpotPreference Spot { get; init; } = SpotPreference.None;

    /// <summary>The pool's price, overriding its provider's <c>price:</c> field by field (<c>template.price</c>); null when not set.</summary>
    public Cost.PriceConfig? Price { get; init; }

    /// <summary>Provider-specific template settings (node selector, container mode, ...).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// What each provider module bound from <c>template.&lt;type&gt;</c>, by provider type, for the types the pool is placed
    /// on (see <c>IProviderModule.BindTemplate</c>). A type is absent when its module needs nothing.
    /// </summary>
    public IReadOnlyDictionary<string, object> Modules { get; init; } = new Dictionary<string, object>(StringComparer.Ordinal);

    /// <summary>What the module of provider type <paramref name="type"/> bound for this template, or null.</summary>
    public T? For<T>(string type)
        where T : class => Modules.TryGetValue(type, out var value) ? value as T : null;
}
