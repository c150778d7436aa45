using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Core.Planning;

/// <summary>
/// What Drover knows of the world at planning time: its runner records, the instances providers report,
/// the runner registrations forges report, per-provider breaker state and per-pool counters. The file form
/// used by <c>drover plan --state</c> is documented in docs/state-file.md.
/// </summary>
public sealed record ObservedState
{
    public IReadOnlyList<Runner> Runners { get; init; } = [];

    public IReadOnlyList<ProviderInstance> Instances { get; init; } = [];

    public IReadOnlyList<ForgeRunner> ForgeRunners { get; init; } = [];

    /// <summary>Circuit breaker per provider name; a provider with no entry is closed.</summary>
    public IReadOnlyDictionary<string, CircuitBreakerState> Breakers { get; init; } = new Dictionary<string, CircuitBreakerState>();

    /// <summary>Next unused runner ordinal per pool (persisted so keys are never reused).</summary>
    public IReadOnlyDictionary<string, long> NextOrdinals { get; init; } = new Dictionary<string, long>();

    /// <summary>Spend so far in each pool's budget period (the current day, week or month in the budget's time zone).</summary>
    public IReadOnlyDictionary<string, decimal> PoolSpend { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Spend so far of each team's pools in the team budget's period.</summary>
    public IReadOnlyDictionary<string, decimal> TeamSpend { get; init; } = new Dictionary<string, decimal>();

    public static ObservedState Empty { get; } = new();
}
