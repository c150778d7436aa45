namespace Drover.Core.Config;

/// <summary>A set of interchangeable runners: one forge scope, one label set, one provider template.</summary>
public sealed record PoolConfig
{
    public required string Name { get; init; }

    /// <summary>Name of the forge in <see cref="FleetConfig.Forges"/>.</summary>
    public required string Forge { get; init; }

    public required PoolScope Scope { get; init; }

    /// <summary>GitHub runner labels. <c>self-hosted</c> is implied.</summary>
    public IReadOnlyList<string> Labels { get; init; } = [];

    /// <summary>GitLab runner tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>GitLab: whether this pool takes jobs with no tags.</summary>
    public bool RunUntagged { get; init; }

    /// <summary>
    /// Name of the provider in <see cref="FleetConfig.Providers"/>; with several (<see cref="Providers"/>), the first of them.
    /// </summary>
    public required string Provider { get; init; }

    /// <summary>
    /// The providers the pool places runners on, in priority order (<c>providers:</c>); empty when the pool names one
    /// <see cref="Provider"/>. Read <see cref="Placement"/> for the effective list.
    /// </summary>
    public IReadOnlyList<PoolProvider> Providers { get; init; } = [];

    /// <summary>How a provider is chosen for each new runner when the pool has several.</summary>
    public PlacementMode PlacementMode { get; init; } = PlacementMode.Priority;

    /// <summary>The providers new runners may go to, in priority order: <see cref="Providers"/>, or just <see cref="Provider"/>.</summary>
    public IReadOnlyList<PoolProvider> Placement => Providers.Count > 0 ? Providers : [new PoolProvider(Provider)];

    public InstanceTemplate Template { get; init; } = new();

    /// <summary>What the forge kind's module bound from the pool's <c>&lt;kind&gt;:</c> section (e.g. <c>github:</c>); null when none.</summary>
    public object? ForgeSettings { get; init; }

    public int Min { get; init; }

    public int Max { get; init; } = 10;

    /// <summary>Warm runners kept on top of demand.</summary>
    public int Idle { get; init; }

    /// <summary>A surplus idle runner is removed after being idle this long.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>An idle runner older than this is recycled. Null: no limit.</summary>
    public TimeSpan? MaxLifetime { get; init; }

    /// <summary>One job per runner with a single-use credential (default).</summary>
    public bool Ephemeral { get; init; } = true;

    /// <summary>Scaling policy by name (<c>reactive</c>, <c>idle-pool</c>, ...).</summary>
    public string Policy { get; init; } = "reactive";

    /// <summary>Policy-specific settings, validated by the policy.</summary>
    public IReadOnlyDictionary<string, string> PolicySettings { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<ScheduleConfig> Schedules { get; init; } = [];

    public string? Team { get; init; }

    public BudgetConfig? Budget { get; init; }

    /// <summary>When several pools match a job, the highest priority wins, then the name in ordinal order.</summary>
    public int Priority { get; init; }

    public RunnerTimeouts Timeouts { get; init; } = RunnerTimeouts.Default;

    /// <summary>
    /// How many times Drover asks the forge to re-run one job (counted across the job's re-runs) whose runner the
    /// infrastructure took away under it — a spot interruption, node loss, eviction, an OOM-killed pod, a runner process
    /// killed by a signal Drover did not send (<c>lostJobReruns</c>, 0 to <see cref="MaxLostJobReruns"/>; 0: never).
    /// A job that fails on its own is never re-run.
    /// </summary>
    public int LostJobReruns { get; init; } = DefaultLostJobReruns;

    /// <summary>The default of <see cref="LostJobReruns"/>.</summary>
    public const int DefaultLostJobReruns = 2;

    /// <summary>The highest <see cref="LostJobReruns"/> accepted.</summary>
    public const int MaxLostJobReruns = 10;
}
