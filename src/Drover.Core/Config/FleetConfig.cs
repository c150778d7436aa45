namespace Drover.Core.Config;

/// <summary>The whole fleet as declared in one YAML file: forges, providers and pools.</summary>
public sealed record FleetConfig
{
    /// <summary>Identifies this controller's runners and instances (name prefix, labels). Default <c>drover</c>.</summary>
    public string ControllerId { get; init; } = "drover";

    public IReadOnlyList<ForgeConfig> Forges { get; init; } = [];

    public IReadOnlyList<ProviderConfig> Providers { get; init; } = [];

    public IReadOnlyList<PoolConfig> Pools { get; init; } = [];

    /// <summary>Not part of the configuration's value: equal for every two configurations (see <see cref="PoolIndex"/>).</summary>
    private readonly PoolIndex _poolIndex = new();

    /// <summary>Teams with their pools, budgets and quotas (<c>teams:</c>); empty when none are declared.</summary>
    public IReadOnlyList<TeamConfig> Teams { get; init; } = [];

    /// <summary>
    /// Priority classes (<c>priorityClasses:</c>), highest first: where pools share a capacity, the demand of a higher
    /// class is served first across teams. Empty when none are declared (all jobs weigh the same).
    /// </summary>
    public IReadOnlyList<PriorityClassConfig> PriorityClasses { get; init; } = [];

    /// <summary>How long an orphan (forge runner without instance, or instance without runner) is tolerated.</summary>
    public TimeSpan OrphanGracePeriod { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Queued jobs older than this with no further event are aged out of the ledger.</summary>
    public TimeSpan StaleJobAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How long the store keeps events, finished jobs, gone runners and cost lines (<c>retention:</c>).</summary>
    public RetentionConfig Retention { get; init; } = new();

    // These lookups run for every runner of every plan: plain loops, no closure or enumerator per call.
    public ForgeConfig? FindForge(string name) => FirstNamed(Forges, name, static f => f.Name);

    public ProviderConfig? FindProvider(string name) => FirstNamed(Providers, name, static p => p.Name);

    /// <summary>
    /// The pool named <paramref name="name"/> (the first, should two share it), or null. Looked up in an index of
    /// <see cref="Pools"/> built on first use, so that a cycle looking up each of 10,000 runners' pools over 1,000 pools
    /// does not scan the list for each; a copy with other pools (<c>with</c>) gets its own index.
    /// </summary>
    public PoolConfig? FindPool(string name) => _poolIndex.Find(Pools, name);

    public TeamConfig? FindTeam(string name) => FirstNamed(Teams, name, static t => t.Name);

    /// <summary>The team a pool belongs to: its <c>team:</c>, else the team whose <c>pools:</c> lists it; null when none.</summary>
    public string? TeamOf(PoolConfig pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        if (pool.Team is { } team)
        {
            return team;
        }

        for (var i = 0; i < Teams.Count; i++)
        {
            if (Teams[i].Pools.Contains(pool.Name, StringComparer.Ordinal))
            {
                return Teams[i].Name;
            }
        }

        return null;
    }

    private static T? FirstNamed<T>(IReadOnlyList<T> items, string name, Func<T, string> nameOf)
        where T : class
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (nameOf(items[i]) == name)
            {
                return items[i];
            }
        }

        return null;
    }

    /// <summary>
    /// The index of <paramref name="job"/>'s priority class in <see cref="PriorityClasses"/> (0 is the highest): the first
    /// class that matches it; <c>PriorityClasses.Count</c> (the lowest) when none does, or when the forge told nothing.
    /// </summary>
    public int PriorityClassOf(Demand.Job job)
    {
        for (var i = 0; i < PriorityClasses.Count; i++)
        {
            if (PriorityClasses[i].Matches(job))
            {
                return i;
            }
        }

        return PriorityClasses.Count;
    }

    /// <summary>The name of class <paramref name="index"/> (see <see cref="PriorityClassOf"/>); <c>other</c> for the lowest.</summary>
    public string PriorityClassName(int index) => index >= 0 && index < PriorityClasses.Count ? PriorityClasses[index].Name : "other";

    /// <summary>The pools of team <paramref name="team"/> (see <see cref="TeamOf"/>).</summary>
    public IEnumerable<PoolConfig> PoolsOf(string team) => Pools.Where(p => TeamOf(p) == team);

    /// <summary>
    /// The pools by name for the one <see cref="Pools"/> list it was last built from; rebuilt when asked about another
    /// (a <c>with</c> copy shares the holder until then). Every two indexes are equal, so the record's equality stays
    /// that of its configuration.
    /// </summary>
    private sealed class PoolIndex : IEquatable<PoolIndex>
    {
        /// <summary>Lists this short are scanned: building an index would cost more than it saves.</summary>
        private const int ScanUpTo = 8;

        private Built? _built;

        public PoolConfig? Find(IReadOnlyList<PoolConfig> pools, string name)
        {
            if (pools.Count <= ScanUpTo || name is null)
            {
                return pools.FirstOrDefault(p => p.Name == name);
            }

            var built = Volatile.Read(ref _built);
            if (built is null || !ReferenceEquals(built.For, pools))
            {
                var byName = new Dictionary<string, PoolConfig>(pools.Count, StringComparer.Ordinal);
                foreach (var pool in pools)
                {
                    byName.TryAdd(pool.Name, pool);
                }

                built = new Built(pools, byName);
                Volatile.Write(ref _built, built);
            }

            return built.ByName.GetValueOrDefault(name);
        }

        public bool Equals(PoolIndex? other) => other is not null;

        public override bool Equals(object? obj) => obj is PoolIndex;

        public override int GetHashCode() => 0;

        private sealed record Built(IReadOnlyList<PoolConfig> For, Dictionary<string, PoolConfig> ByName);
    }
}
