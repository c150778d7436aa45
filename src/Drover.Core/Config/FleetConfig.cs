namespace Drover.Core.Config;

/// <summary>The whole fleet as declared in one YAML file: forges, providers and pools.</summary>
public sealed record FleetConfig
{
    /// <summary>Identifies this controller's runners and instances (name prefix, labels). Default <c>drover</c>.</summary>
    public string ControllerId { get; init; } = "drover";

    public IReadOnlyList<ForgeConfig> Forges { get; init; } = [];

    public IReadOnlyList<ProviderConfig> Providers { get; init; } = [];

    public IReadOnlyList<PoolConfig> Pools { get; init; } = [];

    /// <summary>How long an orphan (forge runner without instance, or instance without runner) is tolerated.</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Queued jobs older than this with no further event are aged out of the ledger.</summary>
    public TimeSpan StaleJobAge { get; init; } = TimeSpan.FromHours(24);

    public ForgeConfig? FindForge(string name) => Forges.FirstOrDefault(f => f.Name == name);

    public ProviderConfig? FindProvider(string name) => Providers.FirstOrDefault(p => p.Name == name);

    public PoolConfig? FindPool(string name) => Pools.FirstOrDefault(p => p.Name == name);
}
