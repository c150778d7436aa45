using Drover.Core.Config;
using Drover.Core.Planning;
using Drover.Core.Resilience;
using Drover.Core.Runners;

namespace Drover.Engine.Loop;

/// <summary>What the control loop saw and decided in its latest cycle; immutable, replaced after every cycle.</summary>
public sealed record LoopSnapshot
{
    /// <summary>When the cycle ran; null before the first cycle.</summary>
    public DateTimeOffset? At { get; init; }

    /// <summary>The configuration as loaded (drained pools included).</summary>
    public required FleetConfig Config { get; init; }

    /// <summary>Pools an operator drained: planned as removed until resumed.</summary>
    public IReadOnlySet<string> DrainedPools { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The latest plan; null before the first cycle.</summary>
    public Plan? Plan { get; init; }

    /// <summary>Runners that are not gone, as the cycle left them.</summary>
    public IReadOnlyList<Runner> Runners { get; init; } = [];

    /// <summary>Circuit breaker per provider name, as persisted after the cycle.</summary>
    public IReadOnlyDictionary<string, CircuitBreakerState> Breakers { get; init; } = new Dictionary<string, CircuitBreakerState>();

    /// <summary>Queued jobs matched to each pool (pools with none may be absent).</summary>
    public IReadOnlyDictionary<string, int> QueuedByPool { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>95th percentile queue wait in seconds per pool over jobs started in the last hour (see <see cref="QueueWaits"/>).</summary>
    public IReadOnlyDictionary<string, double> WaitP95ByPool { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Median queue wait in seconds per pool over the same jobs as <see cref="WaitP95ByPool"/>.</summary>
    public IReadOnlyDictionary<string, double> WaitP50ByPool { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>Every budget (pools' and teams') as it stood at the end of the cycle.</summary>
    public IReadOnlyList<Core.Cost.BudgetStatus> Budgets { get; init; } = [];

    /// <summary>
    /// The live runners' time the cost ledger has priced but not written yet (the current state's part of the current
    /// hour; see ADR 0015), as the leader's last cost pass left it; empty on a follower.
    /// </summary>
    public IReadOnlyList<Core.Ports.CostEntry> PendingCost { get; init; } = [];

    /// <summary>Completed cycles since start.</summary>
    public long Cycles { get; init; }

    /// <summary>The breaker thresholds the loop plans and executes with; what breaker states are read against.</summary>
    public CircuitBreakerOptions BreakerOptions { get; init; } = CircuitBreakerOptions.Default;
}
