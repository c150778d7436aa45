namespace Drover.Simulation.Engine;

/// <summary>The figures of one simulation run (or of the oracle); serialisable with System.Text.Json.</summary>
public sealed record SimulationResult
{
    /// <summary>The policy (or baseline variant) simulated.</summary>
    public required string Policy { get; init; }

    /// <summary>The pools, boot time, failure and delivery settings, in one line.</summary>
    public required string Config { get; init; }

    public int Seed { get; init; }

    public int Jobs { get; init; }

    public int JobsCompleted { get; init; }

    public double WaitP50Seconds { get; init; }

    public double WaitP95Seconds { get; init; }

    public double WaitP99Seconds { get; init; }

    public double WaitMaxSeconds { get; init; }

    public double WaitMeanSeconds { get; init; }

    /// <summary>Booting + idle + busy minutes of every runner.</summary>
    public double RunnerMinutes { get; init; }

    public double BootingMinutes { get; init; }

    public double IdleMinutes { get; init; }

    public double BusyMinutes { get; init; }

    /// <summary>What on-demand runners cost, priced as the fleet file prices them (<see cref="Core.Cost.PriceBook"/>).</summary>
    public double OnDemandCost { get; init; }

    /// <summary>What runners on spot capacity cost.</summary>
    public double SpotCost { get; init; }

    public double Cost => OnDemandCost + SpotCost;

    /// <summary>What idle runners cost: warm capacity no job used ("idle waste"), part of <see cref="Cost"/>.</summary>
    public double IdleCost { get; init; }

    /// <summary>ISO 4217 code of every amount.</summary>
    public string Currency { get; init; } = Core.Cost.PriceConfig.DefaultCurrency;

    /// <summary>Cost per pool, by pool name.</summary>
    public IReadOnlyDictionary<string, double> CostByPool { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// The budgets (<c>pool/NAME</c>, <c>team/NAME</c>) that reached their limit during the run, with the virtual second
    /// they first did; their actions applied from then on.
    /// </summary>
    public IReadOnlyDictionary<string, double> BudgetsExhausted { get; init; } = new Dictionary<string, double>();

    /// <summary>Most booting, idle and busy runners each team had at once (what its quota counts).</summary>
    public IReadOnlyDictionary<string, int> PeakRunnersByTeam { get; init; } = new Dictionary<string, int>();

    /// <summary>Every runner created: its pool and the virtual second. Not serialised (one entry per runner).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<(string Pool, double AtSeconds)> Creations { get; init; } = [];

    /// <summary>Cost per team (pools with no team under <c>(none)</c>).</summary>
    public IReadOnlyDictionary<string, double> CostByTeam { get; init; } = new Dictionary<string, double>();

    /// <summary>Figures per pool, in the fleet's order.</summary>
    public IReadOnlyList<SliceResult> Pools { get; init; } = [];

    /// <summary>Figures per team (pools with no team under <c>(none)</c>), by name.</summary>
    public IReadOnlyList<SliceResult> Teams { get; init; } = [];

    public int SpotInterruptions { get; init; }

    public int JobsRequeued { get; init; }

    public int PeakRunners { get; init; }

    public int RunnersCreated { get; init; }

    public int CreationFailures { get; init; }

    /// <summary>
    /// Virtual seconds during which the latest plan said a pool cannot meet its queue-wait target (the predictive policy's
    /// <c>targetWaitP95</c>; see docs/adr/0014-bunched-arrivals.md), and during which it said a pool can: the plans'
    /// own claims, for checking against the waits the run measured. Both 0 for policies without a target.
    /// </summary>
    public double SloInfeasibleSeconds { get; init; }

    /// <summary>Virtual seconds during which the latest plan said every pool with a wait target meets it.</summary>
    public double SloFeasibleSeconds { get; init; }

    /// <summary>How many times the planner ran.</summary>
    public long Plans { get; init; }

    /// <summary>Runners still alive when the run stopped.</summary>
    public int RunnersLeft { get; init; }

    /// <summary>Virtual seconds from the scenario start to the end of the run.</summary>
    public double EndSeconds { get; init; }

    public IReadOnlyList<TimeSeriesPoint> Series { get; init; } = [];
}
