using Drover.Core.Config;
using Drover.Core.Demand;
using Drover.Core.Matching;
using Drover.Core.Traces;
using Drover.Simulation.Engine;

namespace Drover.Simulation.FleetPlanning;

/// <summary>
/// A trace replayed against the user's own fleet (<c>drover simulate --config</c>): the pools of one forge as the fleet
/// file has them, and the trace's jobs routed by the real <see cref="PoolMatcher"/>. Jobs no pool takes are left out of
/// the simulation and counted in <see cref="Unmatched"/>.
/// </summary>
public sealed record FleetScenario
{
    /// <summary>What the simulator runs: the fleet (the simulated forge's pools) and the matched jobs.</summary>
    public required SimulationScenario Scenario { get; init; }

    /// <summary>The instant job arrival offsets count from (the trace's first job).</summary>
    public DateTimeOffset Start { get; init; }

    /// <summary>The pool each label set (with its scope) of <see cref="Scenario"/> goes to.</summary>
    public required IReadOnlyList<string> PoolOfLabelSet { get; init; }

    /// <summary>Pools of the fleet's other forges: not simulated, since every job of a trace comes from one forge.</summary>
    public IReadOnlyList<string> OtherForgePools { get; init; } = [];

    /// <summary>The label sets (and scopes) no pool takes, with how many jobs asked for each, most first.</summary>
    public IReadOnlyList<UnmatchedRequest> Unmatched { get; init; } = [];

    /// <summary>Jobs of the trace no pool takes.</summary>
    public int UnmatchedJobs => Unmatched.Sum(u => u.Jobs);

    /// <summary>
    /// Builds the scenario. <paramref name="forge"/> names the fleet forge the trace's jobs come from (null: the first
    /// forge that has pools); <paramref name="scope"/>, when set, is the repository or project of every job in place of
    /// what the trace says (a job without one is taken by any pool scope).
    /// </summary>
    /// <exception cref="ArgumentException">The fleet has no forge named <paramref name="forge"/>, or no pools.</exception>
    public static FleetScenario Build(FleetConfig fleet, Trace trace, string? forge = null, string? scope = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        ArgumentNullException.ThrowIfNull(trace);
        forge ??= fleet.Forges.FirstOrDefault(f => fleet.Pools.Any(p => p.Forge == f.Name))?.Name
            ?? throw new ArgumentException("the fleet has no pools to simulate", nameof(fleet));
        if (fleet.FindForge(forge) is null)
        {
            throw new ArgumentException($"the fleet has no forge named '{forge}'; forges: {string.Join(", ", fleet.Forges.Select(f => f.Name))}", nameof(forge));
        }

        var simulated = fleet with { Pools = [.. fleet.Pools.Where(p => p.Forge == forge)] };
        if (simulated.Pools.Count == 0)
        {
            throw new ArgumentException($"forge '{forge}' has no pools", nameof(forge));
        }

        var matcher = new PoolMatcher(simulated);
        var requests = new Dictionary<(LabelSet, string?, JobRefKind?), int>();
        var labelSets = new List<IReadOnlyList<string>>();
        var scopes = new List<string?>();
        var refKinds = new List<JobRefKind?>();
        var poolOf = new List<string>();
        var unmatched = new Dictionary<(LabelSet, string?), int>();
        var start = trace.Start ?? DateTimeOffset.UnixEpoch;
        var jobs = new List<SimulatedJob>(trace.Count);
        foreach (var job in trace.Jobs)
        {
            var key = (job.Labels, scope ?? job.Scope);
            if (!requests.TryGetValue((key.Item1, key.Item2, job.RefKind), out var index))
            {
                if (unmatched.TryGetValue(key, out var count))
                {
                    unmatched[key] = count + 1;
                    continue;
                }

                if (matcher.Match(forge, job.Labels.Labels, key.Item2) is not { } pool)
                {
                    unmatched[key] = 1;
                    continue;
                }

                // Jobs of one request and ref kind share a label set, so each keeps its priority class.
                index = labelSets.Count;
                requests[(key.Item1, key.Item2, job.RefKind)] = index;
                labelSets.Add(job.Labels.Labels);
                scopes.Add(key.Item2);
                refKinds.Add(job.RefKind);
                poolOf.Add(pool.Name);
            }

            jobs.Add(new SimulatedJob((job.QueuedAtUnixMs - start.ToUnixTimeMilliseconds()) / 1000.0, job.DurationSeconds, index));
        }

        return new FleetScenario
        {
            Scenario = new SimulationScenario { Fleet = simulated, Jobs = jobs, LabelSets = labelSets, LabelSetScopes = scopes, LabelSetRefKinds = refKinds, Forge = forge },
            Start = start,
            PoolOfLabelSet = poolOf,
            OtherForgePools = [.. fleet.Pools.Where(p => p.Forge != forge).Select(p => p.Name)],
            Unmatched = [.. unmatched.OrderByDescending(u => u.Value).ThenBy(u => u.Key.Item1.Text, StringComparer.Ordinal)
                .Select(u => new UnmatchedRequest(u.Key.Item1.Labels, u.Key.Item2, u.Value))],
        };
    }

    /// <summary>The same jobs against <paramref name="fleet"/> (the fleet with overrides): the pools must keep their names and labels.</summary>
    public FleetScenario WithFleet(FleetConfig fleet) =>
        this with { Scenario = Scenario with { Fleet = fleet with { Pools = [.. fleet.Pools.Where(p => p.Forge == Scenario.Forge)] } } };

    /// <summary>Mean jobs arriving for <paramref name="pool"/> in each hour of the day (in <paramref name="zone"/>), on weekdays and on weekend days.</summary>
    public (double[] Weekday, double[] Weekend) HourlyDemand(string pool, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var weekday = new double[24];
        var weekend = new double[24];
        var days = new HashSet<DateOnly>();
        foreach (var job in Scenario.Jobs)
        {
            var local = TimeZoneInfo.ConvertTime(Start.AddSeconds(job.ArrivalSeconds), zone);
            days.Add(DateOnly.FromDateTime(local.DateTime));
            if (PoolOfLabelSet[job.LabelSet] == pool)
            {
                (IsWeekend(local) ? weekend : weekday)[local.Hour]++;
            }
        }

        var first = days.Count == 0 ? DateOnly.FromDateTime(Start.UtcDateTime) : days.Min();
        var last = days.Count == 0 ? first : days.Max();
        int weekdays = 0, weekendDays = 0;
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
            {
                weekendDays++;
            }
            else
            {
                weekdays++;
            }
        }

        for (var h = 0; h < 24; h++)
        {
            weekday[h] /= Math.Max(1, weekdays);
            weekend[h] /= Math.Max(1, weekendDays);
        }

        return (weekday, weekend);
    }

    private static bool IsWeekend(DateTimeOffset local) => local.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday;
}
