namespace Drover.Core.Config;

/// <summary>The whole fleet as declared in one YAML file: forges, providers and pools.</summary>
public sealed record FleetConfig
{
    /// <summary>Identifies this controller's runners and instances (name prefix, labels). Default <c>drover</c>.</summary>
    public string ControllerId { get; init; } = "drover";

    public IReadOnlyList<ForgeConfig> Forges { get; init; } = [];

    public IReadOnlyList<ProviderConfig> Providers { get; init; } = [];

    public IReadOnlyList<PoolConfig> Pools { get; init; } = [];

    /// <summary>Teams with their pools, budgets and quotas (<c>teams:</c>); empty when none are declared.</summary>
    public IReadOnlyList<TeamConfig> Teams { get; init; } = [];

    /// <summary>How long an orphan (forge runner without instance, or instance without runner) is tolerated.</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Queued jobs older than this with no further event are aged out of the ledger.</summary>
    public TimeSpan StaleJobAge { get; init; } = TimeSpan.FromHours(24);

    public ForgeConfig? FindForge(string name) => Forges.FirstOrDefault(f => f.Name == name);

    public ProviderConfig? FindProvider(string name) => Providers.FirstOrDefault(p => p.Name == name);

    public PoolConfig? FindPool(string name) => Pools.FirstOrDefault(p => p.Name == name);

    public TeamConfig? FindTeam(string name) => Teams.FirstOrDefault(t => t.Name == name);

    /// <summary>The team a pool belongs to: its <c>team:</c>, else the team whose <c>pools:</c> lists it; null when none.</summary>
    public string? TeamOf(PoolConfig pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        return pool.Team ?? Teams.FirstOrDefault(t => t.Pools.Contains(pool.Name, StringComparer.Ordinal))?.Name;
    }

    /// <summary>The pools of team <paramref name="team"/> (see <see cref="TeamOf"/>).</summary>
    public IEnumerable<PoolConfig> PoolsOf(string team) => Pools.Where(p => TeamOf(p) == team);
}
