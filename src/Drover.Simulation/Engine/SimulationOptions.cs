namespace Drover.Simulation.Engine;

/// <summary>How the simulated world behaves: boot times, failures, spot, event delivery and loop timings.</summary>
public sealed record SimulationOptions
{
    /// <summary>Seed of the run's single <see cref="Random"/>; every random draw comes from it.</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The virtual instant of the scenario start (job arrival offsets are counted from it).</summary>
    public DateTimeOffset Start { get; init; } = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public BootTimeDistribution Boot { get; init; } = BootTimeDistribution.Fixed(60);

    /// <summary>Boot time of the runners of these pools (by pool name), in place of <see cref="Boot"/>.</summary>
    public IReadOnlyDictionary<string, BootTimeDistribution> BootByPool { get; init; } = new Dictionary<string, BootTimeDistribution>(StringComparer.Ordinal);

    /// <summary>Probability that a created runner fails instead of registering (drawn at the end of its boot).</summary>
    public double CreationFailureRate { get; init; }

    /// <summary>Spot interruptions per spot runner-hour (exponential inter-arrival).</summary>
    public double SpotInterruptionsPerRunnerHour { get; init; }

    /// <summary>Each delivery of a job event to Drover is late by a uniform draw in [0, this].</summary>
    public TimeSpan MaxDeliveryDelay { get; init; }

    /// <summary>Probability that a job event never reaches Drover (the polling reconciler recovers it).</summary>
    public double DeliveryLossProbability { get; init; }

    /// <summary>Probability that a job event is delivered twice (same delivery id).</summary>
    public double DeliveryDuplicationProbability { get; init; }

    /// <summary>Interval of the polling reconciler. It runs only when deliveries can be lost.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Interval of the periodic resync plan.</summary>
    public TimeSpan ResyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Width of one time-series bin.</summary>
    public TimeSpan SeriesBin { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How often the ledger ages out stale jobs and forgets finished ones (finished more than this long ago).</summary>
    public TimeSpan PruneInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The simulation stops at the latest this long after the last arrival or the end of the trace's longest-running job,
    /// whichever is later, even if runners remain.
    /// </summary>
    public TimeSpan DrainLimit { get; init; } = TimeSpan.FromDays(2);

    public static SimulationOptions Default { get; } = new();

    /// <summary>Every problem with the options, one message each (empty when valid).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        Boot.Validate(errors);
        foreach (var boot in BootByPool.Values)
        {
            boot.Validate(errors);
        }

        Probability(CreationFailureRate, "creation failure rate", errors, allowOne: false);
        Probability(DeliveryLossProbability, "delivery loss probability", errors, allowOne: false);
        Probability(DeliveryDuplicationProbability, "delivery duplication probability", errors, allowOne: true);
        NonNegative(SpotInterruptionsPerRunnerHour, "spot interruption rate", errors);
        Positive(PollInterval, "poll interval", errors);
        Positive(ResyncInterval, "resync interval", errors);
        Positive(SeriesBin, "series bin", errors);
        Positive(PruneInterval, "prune interval", errors);
        Positive(DrainLimit, "drain limit", errors);
        if (MaxDeliveryDelay < TimeSpan.Zero)
        {
            errors.Add("max delivery delay must not be negative");
        }

        return errors;
    }

    private static void Probability(double value, string name, List<string> errors, bool allowOne)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1 || (!allowOne && value >= 1))
        {
            errors.Add($"{name} must be in [0, 1{(allowOne ? "]" : ")")}, got {value}");
        }
    }

    private static void NonNegative(double value, string name, List<string> errors)
    {
        if (!double.IsFinite(value) || value < 0)
        {
            errors.Add($"{name} must be a finite number of at least 0, got {value}");
        }
    }

    private static void Positive(TimeSpan value, string name, List<string> errors)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{name} must be positive, got {value}");
        }
    }
}
