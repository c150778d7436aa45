namespace Drover.Core.Config;

/// <summary>A place runners run: a Kubernetes cluster, a cloud account, this host's processes, a plugin.</summary>
public sealed record ProviderConfig
{
    public required string Name { get; init; }

    /// <summary>Provider type, e.g. <c>kubernetes</c>, <c>ec2</c>, <c>process</c>, <c>simulated</c>, <c>external</c>.</summary>
    public required string Type { get; init; }

    /// <summary>Type-specific settings (namespace, region, command template, ...). Secrets by reference only.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The typed settings the provider type's module bound from <c>settings</c> (see <c>IProviderModule.BindSettings</c>);
    /// the provider is built from exactly these. Null when no module bound them.
    /// </summary>
    public object? ModuleSettings { get; init; }

    /// <summary>
    /// How many runner creates (credential mint plus the provider's create call) run at once on this provider, so one
    /// slow or hanging call does not hold up the others (<c>maxConcurrentCreates</c>, 1 to <see cref="MaxConcurrentCreatesLimit"/>).
    /// </summary>
    public int MaxConcurrentCreates { get; init; } = DefaultMaxConcurrentCreates;

    /// <summary>
    /// The provider's capacity (<c>maxRunners</c>): at most this many booting, idle and busy runners of all pools on it
    /// together; null: no limit. Pools of different teams share it by the teams' weights (see <c>docs/cost.md</c>, fair share).
    /// </summary>
    public int? MaxRunners { get; init; }

    /// <summary>What this provider's runners cost (<c>price:</c>); null: free unless a pool's <c>template.price</c> prices them.</summary>
    public Cost.PriceConfig? Price { get; init; }

    /// <summary>The default of <see cref="MaxConcurrentCreates"/>.</summary>
    public const int DefaultMaxConcurrentCreates = 8;

    /// <summary>The highest <see cref="MaxConcurrentCreates"/> accepted.</summary>
    public const int MaxConcurrentCreatesLimit = 256;
}
