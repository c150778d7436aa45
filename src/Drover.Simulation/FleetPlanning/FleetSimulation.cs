using System.Globalization;
using Drover.Core.Config;
using Drover.Core.Policies;
using Drover.Simulation.Engine;
using Drover.Simulation.Reports;

namespace Drover.Simulation.FleetPlanning;

/// <summary>
/// Runs a <see cref="FleetScenario"/>: the fleet as configured, then every value of every sweep, then, per swept pool,
/// the setting the sweep suggests (limited to the pool's busy hours when it is about <c>idle</c>), so that each
/// recommendation quotes figures of a run of exactly what it recommends. Runs go in parallel, one per core; each is
/// deterministic for the options' seed.
/// </summary>
public static class FleetSimulation
{
    /// <summary>An hour is busy when its mean arrivals reach this share of the pool's busiest weekday hour.</summary>
    public const double BusyHourShare = 0.25;

    /// <summary>Weekends count as busy when their busiest hour reaches this share of the weekdays' busiest hour.</summary>
    public const double BusyWeekendShare = 0.5;

    /// <summary>When no value meets the target, a p95 wait shorter by less than this many seconds ...</summary>
    public const double MarginalWaitSeconds = 5;

    /// <summary>... or by less than this share of the configured p95 is not worth recommending.</summary>
    public const double MarginalWaitShare = 0.1;

    /// <param name="title">The report's title.</param>
    /// <param name="notes">How the trace was read.</param>
    /// <param name="scenario">The trace against the fleet (with any <c>--set</c> changes).</param>
    /// <param name="sweeps">The sweeps; each value's fleet must already have been validated.</param>
    /// <param name="options">The simulated world.</param>
    /// <param name="targetWait">The p95 wait a recommendation aims for.</param>
    /// <param name="settings">The <c>--set</c> changes, as written, for the report.</param>
    /// <param name="progress">Gets each run's name and fraction done.</param>
    public static FleetReport Run(
        string title,
        IReadOnlyList<string> notes,
        FleetScenario scenario,
        IReadOnlyList<FleetSweep> sweeps,
        SimulationOptions options,
        TimeSpan targetWait,
        IReadOnlyList<string>? settings = null,
        Action<string, double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(sweeps);
        ArgumentNullException.ThrowIfNull(options);
        var fleet = scenario.Scenario.Fleet;
        var runs = new List<(string Name, FleetConfig Fleet)> { ("as configured", fleet) };
        foreach (var sweep in sweeps)
        {
            runs.AddRange(sweep.Settings.Select(s => ($"{s.Path}={s.Value}", s.ApplyTo(fleet))));
        }

        var results = RunAll(scenario, runs, options, progress);
        var configured = results[0];
        var sweepResults = new List<SweepResult>();
        var next = 1;
        foreach (var sweep in sweeps)
        {
            var points = sweep.Values.Select((value, i) => Point(value, results[next + i], sweep.Pool)).ToList();
            next += sweep.Values.Count;
            sweepResults.Add(new SweepResult
            {
                Path = sweep.Path,
                Pool = sweep.Pool,
                Field = sweep.Field,
                Configured = FleetSetting.CurrentValue(fleet.Pools.Single(p => p.Name == sweep.Pool), sweep.Field),
                Points = points,
            });
        }

        var advice = sweepResults.Select(s => Advise(scenario, s, configured, targetWait)).ToList();
        var windowed = advice.Where(a => a.Run is not null).ToList();
        var windowResults = RunAll(scenario, [.. windowed.Select(a => (a.Recommendation.Path + " (busy hours)", a.Run!))], options, progress);
        var recommendations = advice.Select(a =>
        {
            var i = windowed.IndexOf(a);
            return i < 0 ? a.Recommendation : Describe(a, Slice(windowResults[i], a.Recommendation.Pool), Slice(configured, a.Recommendation.Pool), targetWait);
        }).ToList();

        return new FleetReport
        {
            Title = title,
            Notes = notes,
            Forge = scenario.Scenario.Forge,
            Settings = settings ?? [],
            TargetWaitSeconds = targetWait.TotalSeconds,
            Result = configured,
            Unmatched = scenario.Unmatched,
            OtherForgePools = scenario.OtherForgePools,
            Sweeps = sweepResults,
            Recommendations = recommendations,
        };
    }

    private static SimulationResult[] RunAll(FleetScenario scenario, IReadOnlyList<(string Name, FleetConfig Fleet)> runs, SimulationOptions options, Action<string, double>? progress)
    {
        var results = new SimulationResult[runs.Count];
        Parallel.For(
            0,
            runs.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount) },
            i =>
            {
                var (name, fleet) = runs[i];
                IProgress<double>? sink = progress is null ? null : new Reporter(name, progress);
                var simulator = new Simulator(scenario.Scenario with { Fleet = fleet }, PolicyRegistry.CreateDefault().Policies, options);
                results[i] = simulator.Run(name, sink);
            });
        return results;
    }

    private static SweepPoint Point(string value, SimulationResult result, string pool) => new()
    {
        Value = value,
        Pool = Slice(result, pool),
        FleetRunnerMinutes = result.RunnerMinutes,
        FleetCost = result.Cost,
    };

    private static SliceResult Slice(SimulationResult result, string pool) => result.Pools.Single(p => p.Name == pool);

    private sealed record Advice(PoolRecommendation Recommendation, FleetConfig? Run, ScheduleConfig? Window, string? Days, string? Figures = null, string? Prefix = null);

    /// <summary>
    /// The sweep's suggestion: the cheapest value (fewest runner-minutes of the pool) whose p95 wait meets the target,
    /// or, when none does, the one with the shortest p95 wait. An <c>idle</c> suggestion is narrowed to the pool's busy
    /// hours (from its arrivals per hour of the day) and needs one more run, returned in <see cref="Advice.Run"/>.
    /// </summary>
    private static Advice Advise(FleetScenario scenario, SweepResult sweep, SimulationResult configured, TimeSpan targetWait)
    {
        var inv = CultureInfo.InvariantCulture;
        var baseline = Slice(configured, sweep.Pool);
        var complete = sweep.Points.Where(p => p.Complete).ToList();
        if (baseline.Jobs == 0 || complete.Count == 0)
        {
            return new Advice(
                new PoolRecommendation
                {
                    Pool = sweep.Pool,
                    Path = sweep.Path,
                    Text = baseline.Jobs == 0
                        ? $"{sweep.Pool}: no job of the trace goes to this pool; nothing to size."
                        : $"{sweep.Pool}: no value of {sweep.Field} in the sweep ran every job of the pool.",
                },
                null,
                null,
                null);
        }

        var meeting = complete.Where(p => p.Pool.WaitP95Seconds <= targetWait.TotalSeconds).OrderBy(p => p.Pool.RunnerMinutes).ThenBy(p => p.Pool.WaitP95Seconds).FirstOrDefault();
        var fastest = complete.OrderBy(p => p.Pool.WaitP95Seconds).ThenBy(p => p.Pool.RunnerMinutes).First();
        var missed = string.Create(inv, $"{sweep.Pool}: no {sweep.Field} from {sweep.Points[0].Value} to {sweep.Points[^1].Value} reaches a p95 wait of {targetWait.TotalSeconds:0} s");
        if (meeting is null && baseline.WaitP95Seconds - fastest.Pool.WaitP95Seconds < Math.Max(MarginalWaitSeconds, MarginalWaitShare * baseline.WaitP95Seconds))
        {
            // Nothing in the range buys a wait worth paying for: say so, and keep what is configured.
            return new Advice(
                new PoolRecommendation
                {
                    Pool = sweep.Pool,
                    Path = sweep.Path,
                    Value = sweep.Configured,
                    Text = $"{missed}, and none shortens it by much: the shortest, {Figures($"{sweep.Field} {fastest.Value}", fastest.Pool, baseline)}; keep {sweep.Field} {sweep.Configured}.",
                    WaitP95Seconds = baseline.WaitP95Seconds,
                },
                null,
                null,
                null);
        }

        var chosen = meeting ?? Knee(complete) ?? fastest;
        var pool = scenario.Scenario.Fleet.Pools.Single(p => p.Name == sweep.Pool);
        var scheduled = pool.Schedules.Any(s => sweep.Field switch { "idle" => s.Idle is not null, "min" => s.Min is not null, "max" => s.Max is not null, _ => false });
        var figures = Figures($"{sweep.Field} {chosen.Value}{(scheduled ? " (where no schedule of the pool sets it)" : string.Empty)}", chosen.Pool, baseline);
        var prefix = meeting is not null ? $"{sweep.Pool}: "
            : ReferenceEquals(chosen, fastest) ? $"{missed}; the shortest is "
            : $"{missed}; past the knee of the curve more runner-minutes buy little: ";
        var plain = new PoolRecommendation
        {
            Pool = sweep.Pool,
            Path = sweep.Path,
            Value = chosen.Value,
            Text = prefix + figures,
            WaitP95Seconds = chosen.Pool.WaitP95Seconds,
            RunnerMinutesChange = Change(chosen.Pool, baseline),
        };
        if (sweep.Field != "idle" || chosen.Value == sweep.Configured)
        {
            return new Advice(plain, null, null, null);
        }

        var zoneId = pool.Schedules.Count > 0 ? pool.Schedules[0].TimeZone : "UTC";
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var (weekday, weekend) = scenario.HourlyDemand(pool.Name, zone);
        var peak = weekday.Max();
        var busy = Enumerable.Range(0, 24).Where(h => peak > 0 && weekday[h] >= BusyHourShare * peak).ToList();
        if (busy.Count is 0 or 24)
        {
            return new Advice(plain, null, null, null);
        }

        var (first, last) = (busy[0], busy[^1]);
        var everyDay = weekend.Max() >= BusyWeekendShare * peak;
        var sample = SampleInstant(scenario.Start, zone, first, everyDay);
        var limits = ScheduleOverlay.Apply(pool, sample);
        var window = new ScheduleConfig
        {
            Cron = string.Create(inv, $"* {first}-{last} * * {(everyDay ? "*" : "1-5")}"),
            TimeZone = zoneId,
            Idle = int.Parse(chosen.Value, inv),
            Min = limits.Min == pool.Min ? null : limits.Min,
            Max = limits.Max == pool.Max ? null : limits.Max,
        };
        var windowed = scenario.Scenario.Fleet with
        {
            Pools = [.. scenario.Scenario.Fleet.Pools.Select(p => p.Name == pool.Name ? p with { Schedules = [.. p.Schedules, window] } : p)],
        };
        var days = string.Create(inv, $"from {first:00}:00 to {(last + 1) % 24:00}:00 {(everyDay ? "every day" : "on weekdays")} ({zoneId})");
        return new Advice(plain, windowed, window, days, figures, prefix);
    }

    /// <summary>
    /// The knee of the sweep's curve: among the points no other beats on both p95 wait and runner-minutes, the one
    /// farthest from the straight line between the cheapest and the fastest (both axes scaled to their range), as
    /// <see cref="SimulationReport.Knee"/> finds it among policies; null when there is no bend.
    /// </summary>
    private static SweepPoint? Knee(IReadOnlyList<SweepPoint> points)
    {
        var frontier = points.Where(r => !points.Any(o =>
                o.Pool.WaitP95Seconds <= r.Pool.WaitP95Seconds && o.Pool.RunnerMinutes <= r.Pool.RunnerMinutes
                && (o.Pool.WaitP95Seconds < r.Pool.WaitP95Seconds || o.Pool.RunnerMinutes < r.Pool.RunnerMinutes)))
            .OrderBy(r => r.Pool.RunnerMinutes).ToList();
        if (frontier.Count < 3)
        {
            return null;
        }

        var (cheap, fast) = (frontier[0].Pool, frontier[^1].Pool);
        var (minutes, wait) = (fast.RunnerMinutes - cheap.RunnerMinutes, cheap.WaitP95Seconds - fast.WaitP95Seconds);
        if (minutes <= 0 || wait <= 0)
        {
            return null;
        }

        return frontier
            .Select(r => (Point: r, Distance: 1 - ((r.Pool.RunnerMinutes - cheap.RunnerMinutes) / minutes) - ((r.Pool.WaitP95Seconds - fast.WaitP95Seconds) / wait)))
            .Where(r => r.Distance > 0)
            .OrderByDescending(r => r.Distance)
            .Select(r => r.Point)
            .FirstOrDefault();
    }

    /// <summary>The advice with the figures of the run that kept the suggested idle only in the busy hours.</summary>
    private static PoolRecommendation Describe(Advice advice, SliceResult windowed, SliceResult baseline, TimeSpan targetWait)
    {
        var inv = CultureInfo.InvariantCulture;
        var window = advice.Window!;
        var allDay = advice.Recommendation;
        if (windowed.WaitP95Seconds > targetWait.TotalSeconds && allDay.WaitP95Seconds <= targetWait.TotalSeconds)
        {
            // Outside the busy hours too many jobs wait: the value is needed at every hour.
            return allDay with
            {
                Text = $"{allDay.Text}; only {advice.Days}, {Figures($"idle {window.Idle}", windowed, baseline)[($"idle {window.Idle}: ").Length..]} (misses the target)",
            };
        }

        var schedule = string.Create(inv, $"schedules:\n  - cron: \"{window.Cron}\"\n    timezone: {window.TimeZone}\n    idle: {window.Idle}");
        schedule += window.Min is { } min ? string.Create(inv, $"\n    min: {min}") : string.Empty;
        schedule += window.Max is { } max ? string.Create(inv, $"\n    max: {max}") : string.Empty;
        return advice.Recommendation with
        {
            Text = $"{advice.Prefix}{Figures($"idle {window.Idle} {advice.Days}", windowed, baseline)}; at every hour instead, {advice.Figures}",
            Schedule = schedule,
            WaitP95Seconds = windowed.WaitP95Seconds,
            RunnerMinutesChange = Change(windowed, baseline),
        };
    }

    private static string Figures(string what, SliceResult result, SliceResult baseline) => string.Create(
        CultureInfo.InvariantCulture,
        $"{what}: p95 {result.WaitP95Seconds:0} s for {Change(result, baseline):+0%;-0%;+0%} runner-minutes (as configured: p95 {baseline.WaitP95Seconds:0} s, {baseline.RunnerMinutes:N0} runner-minutes)");

    private static double Change(SliceResult result, SliceResult baseline) =>
        baseline.RunnerMinutes > 0 ? (result.RunnerMinutes / baseline.RunnerMinutes) - 1 : 0;

    /// <summary>An instant in the busy window (its first hour, on the first weekday of the trace, or its first day).</summary>
    private static DateTimeOffset SampleInstant(DateTimeOffset start, TimeZoneInfo zone, int hour, bool everyDay)
    {
        var local = TimeZoneInfo.ConvertTime(start, zone);
        var day = local.Date;
        while (!everyDay && day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday)
        {
            day = day.AddDays(1);
        }

        var at = day.AddHours(hour).AddMinutes(30);
        return new DateTimeOffset(at, zone.GetUtcOffset(at));
    }

    /// <summary>Forwards a run's progress synchronously (no captured context) with its name.</summary>
    private sealed class Reporter(string name, Action<string, double> progress) : IProgress<double>
    {
        public void Report(double value) => progress(name, value);
    }
}
