using System.Globalization;

namespace Drover.Core.Policies;

/// <summary>
/// Keeps a warm pool sized by a forecast of arrivals and a queueing model, so that the pool's target wait is met at the
/// least runner-minutes given the boot time. See docs/adr/0003-predictive-policy.md.
/// <list type="bullet">
/// <item>Forecast rate λ = max(hour-of-week rate of the past weeks, recent rate), raised to the burst rate when the
/// last minute saw significantly more arrivals than those predict: seasonality warms the pool before a busy hour, the
/// short window reacts to the start of a burst without chasing noise.</item>
/// <item>A job waits longer than the target only when more than W jobs arrive within <c>bootTime − targetWaitP95</c>
/// (each arrival takes a warm runner and its replacement is not ready before that). With Poisson arrivals,
/// W is the least warm count with λ·P(N &gt; W) ≤ waitBudget·λ̄, where λ̄ is the long-run rate: the share of waiting jobs
/// stays within the budget over time, and warm runners are spent where they keep the most jobs from waiting.</item>
/// <item>Without history it behaves exactly as <c>reactive</c>; so it does, and says the target is not met, when the last
/// hour had fewer than <c>minArrivals</c> arrivals or more than <c>maxBunched</c> of them came bunched (a matrix fanned
/// out at once), where a warm pool sized to the rate would be paid for and not meet the target
/// (docs/adr/0014-bunched-arrivals.md).</item>
/// </list>
/// </summary>
public sealed class PredictivePolicy : IScalingPolicy
{
    public const string PolicyName = "predictive";

    private static readonly TimeSpan Week = TimeSpan.FromDays(7);
    private static readonly TimeSpan SeasonHorizon = TimeSpan.FromMinutes(30);

    /// <summary>Slots of the burst window (of <see cref="BurstSlot"/> each) that need arrivals before its rate counts.</summary>
    private const int MinBurstSlots = 3;

    /// <summary>A matrix fans out within seconds; a rate that goes on fills slots of this length one after another.</summary>
    private static readonly TimeSpan BurstSlot = TimeSpan.FromSeconds(10);

    public string Name => PolicyName;

    public IReadOnlyList<PolicySettingError> ValidateSettings(IReadOnlyDictionary<string, string> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<PolicySettingError>();
        PredictiveSettings.Parse(settings, errors);
        return errors;
    }

    public PolicyDecision Decide(PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var demand = context.Demand;
        var floor = Math.Max(0, context.Limits.Idle);
        var pool = context.Pool.Name;
        if (context.History is not { } history || history.FirstArrival(pool) is not { } first)
        {
            var reactive = floor + demand.Queued + demand.Running;
            return new PolicyDecision(reactive, $"predictive: no demand history yet, reactive: {demand.Queued} queued + {demand.Running} running + {floor} warm = {reactive}");
        }

        var s = PredictiveSettings.For(context.Pool.PolicySettings);
        var now = context.Now;
        var recent = Rate(history, pool, now - s.RecentWindow, now);
        var burstCount = history.Arrivals(pool, now - s.BurstWindow, now);
        var burst = burstCount / s.BurstWindow.TotalSeconds;
        var (season, longRun) = Seasonal(history, pool, first, now, s.Weeks);
        var baseline = Math.Max(season, recent);

        // The short window only counts when it is a real burst, not the noise of a few arrivals: more arrivals than
        // the season and recent rates give with 99 % probability.
        // A matrix fanned out at once is not a rate that goes on: a burst needs arrivals in several 10-second slots.
        var isBurst = burstCount > Poisson.Quantile(baseline * s.BurstWindow.TotalSeconds, 0.01, int.MaxValue)
            && SpreadSlots(history, pool, now, s.BurstWindow) >= MinBurstSlots;
        var rate = isBurst ? Math.Max(baseline, burst) : baseline;
        var exposure = Math.Max(0, (s.BootTime - s.TargetWaitP95).TotalSeconds);
        var allowed = s.WaitBudget * (longRun > 0 ? longRun : rate);
        var cap = s.MaxWarm > 0 ? s.MaxWarm : Math.Max(0, context.Limits.Max);
        var warm = WarmFor(rate, exposure, allowed, cap);
        var needed = warm < cap ? warm : WarmFor(rate, exposure, allowed, int.MaxValue);
        string? shortfall = null;
        if (needed > warm)
        {
            var limit = s.MaxWarm > 0 ? $"maxWarm {s.MaxWarm}" : $"max {context.Limits.Max}";
            shortfall = string.Create(
                CultureInfo.InvariantCulture,
                $"targetWaitP95 {DurationText(s.TargetWaitP95)} needs {needed} warm runners at {rate * 60:0.##}/min with bootTime {DurationText(s.BootTime)}, but {limit} allows {cap}");
        }

        // How the last hour's arrivals came (docs/adr/0014-bunched-arrivals.md): warm runners sized to a rate only
        // help arrivals that come as a rate.
        var profile = exposure > 0 && warm > 0 ? BatchProfile.Of(history, pool, now) : null;
        string? withheld = null;
        var bunched = false;
        if (profile is not null && profile.Jobs < s.MinArrivals && !isBurst)
        {
            withheld = string.Create(CultureInfo.InvariantCulture, $"{profile.Jobs} arrivals in the hour before {profile.End:HH:mm}, fewer than minArrivals {s.MinArrivals}: too few to size a warm pool by");
        }
        else if (profile is not null && profile.Jobs >= s.MinArrivals && profile.BunchedShare > s.MaxBunched)
        {
            bunched = true;
            withheld = string.Create(
                CultureInfo.InvariantCulture,
                $"{profile.BunchedShare:P0} of the {profile.Jobs} arrivals in the hour before {profile.End:HH:mm} came bunched (more within {BatchProfile.BunchSeconds}s than the rate gives), more than maxBunched {s.MaxBunched:P0}: warm runners sized to the rate would not meet targetWaitP95 {DurationText(s.TargetWaitP95)}");
        }

        if (withheld is not null)
        {
            // Reactive: the jobs that come now wait one boot, so the target is not met, and the plan says so.
            shortfall = shortfall is not null && !bunched ? shortfall : withheld + "; planning reactively";
            warm = 0;
        }

        var kept = Math.Max(floor, warm);
        var desired = kept + demand.Queued + demand.Running;
        var reason = string.Create(
            CultureInfo.InvariantCulture,
            $"predictive: {demand.Queued} queued + {demand.Running} running + {kept} warm = {desired} (forecast {rate * 60:0.##}/min: season {season * 60:0.##}, recent {recent * 60:0.##}, burst {burst * 60:0.##}; {exposure:0}s exposure{(withheld is null ? "" : "; no warm runners: " + withheld)})");
        return new PolicyDecision(desired, reason) { SloFeasible = shortfall is null, SloShortfall = shortfall };
    }

    private static string DurationText(TimeSpan value) => Config.DurationParser.Format(value);

    /// <summary>Least W in [0, cap] with rate·P(Poisson(rate·exposure) &gt; W) ≤ allowed.</summary>
    internal static int WarmFor(double rate, double exposure, double allowed, int cap)
    {
        if (rate <= 0 || exposure <= 0)
        {
            return 0;
        }

        return Poisson.Quantile(rate * exposure, allowed / rate, cap);
    }

    /// <summary>How many of the burst window's <see cref="BurstSlot"/>-long slots saw at least one arrival.</summary>
    private static int SpreadSlots(IDemandHistory history, string pool, DateTimeOffset now, TimeSpan window)
    {
        var slots = 0;
        for (var end = now; end > now - window; end -= BurstSlot)
        {
            var start = end - BurstSlot;
            if (history.ArrivalInstants(pool, start < now - window ? now - window : start, end) > 0)
            {
                slots++;
            }
        }

        return slots;
    }

    private static double Rate(IDemandHistory history, string pool, DateTimeOffset from, DateTimeOffset to) =>
        history.Arrivals(pool, from, to) / (to - from).TotalSeconds;

    /// <summary>The rate of the coming half hour in past weeks, and the long-run rate over those weeks (per second).</summary>
    private static (double Season, double LongRun) Seasonal(IDemandHistory history, string pool, DateTimeOffset first, DateTimeOffset now, int weeks)
    {
        var count = 0;
        var total = 0;
        for (var k = 1; k <= weeks; k++)
        {
            var from = now - (Week * k);
            if (from < first)
            {
                break;
            }

            total += history.Arrivals(pool, from, from + SeasonHorizon);
            count++;
        }

        var season = count == 0 ? 0 : total / (count * SeasonHorizon.TotalSeconds);
        var span = now - first;
        var longWindow = span < Week * weeks ? span : Week * weeks;
        var longRun = longWindow <= TimeSpan.Zero ? 0 : history.Arrivals(pool, now - longWindow, now) / longWindow.TotalSeconds;
        return (season, longRun);
    }
}
