namespace Drover.Simulation.Engine;

/// <summary>
/// The physical limit for ephemeral runners: every job's runner becomes ready exactly when the job arrives, so waits
/// are all zero and runner-minutes are the sum of boot + duration. No policy uses fewer runner-minutes at zero wait.
/// </summary>
public static class Oracle
{
    /// <summary>
    /// The oracle of <paramref name="scenario"/>, its runners priced as the scenario's fleet prices its first pool's
    /// on-demand runners (<see cref="Core.Cost.PriceBook"/>, the price book the simulated runs and the live ledger read).
    /// </summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="bootSeconds">Each runner's boot time.</param>
    public static SimulationResult Compute(SimulationScenario scenario, double bootSeconds)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var fleet = scenario.Fleet;
        var price = fleet.Pools.Count == 0 ? null : Core.Cost.PriceBook.For(fleet, fleet.Pools[0], fleet.Pools[0].Placement[0].Name, onSpot: false);
        return Compute(scenario.Jobs, bootSeconds, price);
    }

    /// <param name="jobs">The scenario's jobs.</param>
    /// <param name="bootSeconds">Each runner's boot time.</param>
    /// <param name="price">What a runner costs (on-demand, per second as if billing had no rounding); free when null.</param>
    public static SimulationResult Compute(IReadOnlyList<SimulatedJob> jobs, double bootSeconds, Core.Cost.RunnerPrice? price = null)
    {
        ArgumentNullException.ThrowIfNull(jobs);
        double boot = 0, busy = 0;
        var edges = new List<(double At, int Delta)>(jobs.Count * 2);
        foreach (var job in jobs)
        {
            boot += bootSeconds;
            busy += job.DurationSeconds;
            edges.Add((job.ArrivalSeconds - bootSeconds, +1));
            edges.Add((job.ArrivalSeconds + job.DurationSeconds, -1));
        }

        // Ends before starts at the same instant: a runner that exits frees its slot first.
        edges.Sort(static (a, b) => a.At != b.At ? a.At.CompareTo(b.At) : a.Delta.CompareTo(b.Delta));
        int running = 0, peak = 0;
        foreach (var (_, delta) in edges)
        {
            running += delta;
            peak = Math.Max(peak, running);
        }

        var minutes = (boot + busy) / 60;
        return new SimulationResult
        {
            Policy = "oracle",
            Config = $"every runner ready on arrival; boot {bootSeconds}s",
            Jobs = jobs.Count,
            JobsCompleted = jobs.Count,
            RunnerMinutes = minutes,
            BootingMinutes = boot / 60,
            BusyMinutes = busy / 60,
            OnDemandCost = minutes * (double)(price?.PerHour ?? 0m) / 60,
            Currency = price?.Currency ?? Core.Cost.PriceConfig.DefaultCurrency,
            PeakRunners = peak,
            RunnersCreated = jobs.Count,
        };
    }
}
