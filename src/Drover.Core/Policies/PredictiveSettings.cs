using System.Globalization;
using System.Runtime.CompilerServices;
using Drover.Core.Config;

namespace Drover.Core.Policies;

/// <summary>The <c>predictive</c> policy's settings, parsed from a pool's <c>policySettings</c>.</summary>
/// <param name="TargetWaitP95">Queue wait the pool aims to keep 95 % of jobs under.</param>
/// <param name="BootTime">How long a new runner takes to be ready (provider boot + registration).</param>
/// <param name="WaitBudget">Share of jobs allowed to wait longer than the target (0.05 for a p95 target).</param>
/// <param name="RecentWindow">Window of the recent-rate estimate.</param>
/// <param name="BurstWindow">Short window that sees a burst start.</param>
/// <param name="Weeks">Past weeks averaged for the hour-of-week forecast.</param>
/// <param name="MaxWarm">Most warm runners the policy keeps on top of demand; 0 means up to the pool's max.</param>
/// <param name="MinArrivals">Arrivals the last hour needs (unless a burst is under way) before warm runners are kept.</param>
/// <param name="MaxBunched">Largest share of the last hour's arrivals that may come bunched for warm runners to be kept.</param>
internal sealed record PredictiveSettings(TimeSpan TargetWaitP95, TimeSpan BootTime, double WaitBudget, TimeSpan RecentWindow, TimeSpan BurstWindow, int Weeks, int MaxWarm, int MinArrivals = 20, double MaxBunched = 0.05)
{
    public const string TargetWaitKey = "targetWaitP95";
    public const string BootTimeKey = "bootTime";
    public const string WaitBudgetKey = "waitBudget";
    public const string RecentWindowKey = "recentWindow";
    public const string BurstWindowKey = "burstWindow";
    public const string WeeksKey = "weeks";
    public const string MaxWarmKey = "maxWarm";
    public const string MinArrivalsKey = "minArrivals";
    public const string MaxBunchedKey = "maxBunched";

    private static readonly ConditionalWeakTable<IReadOnlyDictionary<string, string>, PredictiveSettings> Cache = new();

    public static PredictiveSettings Default { get; } = new(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(60), 0.02, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(1), 4, 0);

    /// <summary>Parsed settings of a pool, cached per settings instance (the planner asks every cycle).</summary>
    public static PredictiveSettings For(IReadOnlyDictionary<string, string> settings) =>
        Cache.GetValue(settings, static s => Parse(s, []));

    public static PredictiveSettings Parse(IReadOnlyDictionary<string, string> settings, List<PolicySettingError> errors)
    {
        var result = Default;
        foreach (var (key, value) in settings)
        {
            switch (key)
            {
                case TargetWaitKey:
                    result = Duration(key, value, errors, allowZero: true) is { } target ? result with { TargetWaitP95 = target } : result;
                    break;
                case BootTimeKey:
                    result = Duration(key, value, errors, allowZero: false) is { } boot ? result with { BootTime = boot } : result;
                    break;
                case RecentWindowKey:
                    result = Duration(key, value, errors, allowZero: false) is { } recent ? result with { RecentWindow = recent } : result;
                    break;
                case BurstWindowKey:
                    result = Duration(key, value, errors, allowZero: false) is { } burst ? result with { BurstWindow = burst } : result;
                    break;
                case WaitBudgetKey:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var budget) && budget > 0 && budget < 1)
                    {
                        result = result with { WaitBudget = budget };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a number between 0 and 1 (exclusive), got '{value}'"));
                    }

                    break;
                case WeeksKey:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var weeks) && weeks is >= 1 and <= 12)
                    {
                        result = result with { Weeks = weeks };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a whole number from 1 to 12, got '{value}'"));
                    }

                    break;
                case MaxWarmKey:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var maxWarm))
                    {
                        result = result with { MaxWarm = maxWarm };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a whole number of at least 0, got '{value}'"));
                    }

                    break;
                case MinArrivalsKey:
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var minArrivals))
                    {
                        result = result with { MinArrivals = minArrivals };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a whole number of at least 0, got '{value}'"));
                    }

                    break;
                case MaxBunchedKey:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var maxBunched) && maxBunched is >= 0 and <= 1)
                    {
                        result = result with { MaxBunched = maxBunched };
                    }
                    else
                    {
                        errors.Add(new PolicySettingError(key, $"must be a number from 0 to 1, got '{value}'"));
                    }

                    break;
                default:
                    errors.Add(new PolicySettingError(key, $"unknown setting for policy 'predictive' (known: {TargetWaitKey}, {BootTimeKey}, {WaitBudgetKey}, {RecentWindowKey}, {BurstWindowKey}, {WeeksKey}, {MaxWarmKey}, {MinArrivalsKey}, {MaxBunchedKey})"));
                    break;
            }
        }

        return result;
    }

    private static TimeSpan? Duration(string key, string value, List<PolicySettingError> errors, bool allowZero)
    {
        if (DurationParser.TryParse(value, out var duration) && (allowZero || duration > TimeSpan.Zero))
        {
            return duration;
        }

        errors.Add(new PolicySettingError(key, $"must be a duration such as 15s, 2m or 1h30m, got '{value}'"));
        return null;
    }
}
