namespace Drover.Core.Cost;

/// <summary>
/// What one runner of a pool costs on one provider: an hourly rate, a currency and how billed time is rounded.
/// Resolved from the fleet file by <see cref="PriceBook"/>; the planner, the live ledger and the simulator all use it.
/// </summary>
/// <param name="PerHour">Price of one runner-hour.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Billing">How billed time is rounded.</param>
/// <param name="Minimum">Least time billed per runner under <see cref="BillingGranularity.PerSecond"/>.</param>
public sealed record RunnerPrice(decimal PerHour, string Currency, BillingGranularity Billing, TimeSpan Minimum)
{
    /// <summary>A runner nothing prices: free, per second.</summary>
    public static RunnerPrice Free { get; } = new(0m, PriceConfig.DefaultCurrency, BillingGranularity.PerSecond, TimeSpan.Zero);

    /// <summary>True when the runner costs nothing.</summary>
    public bool IsFree => PerHour == 0m;

    /// <summary>
    /// The billed seconds of a runner that ran (in billed states) <paramref name="seconds"/> in all: rounded up to the
    /// granularity, and at least the minimum once it ran at all. Monotonic in <paramref name="seconds"/>, so billing
    /// interval by interval (<see cref="Charge"/>) adds up to billing the whole at once.
    /// </summary>
    public decimal BilledSeconds(decimal seconds)
    {
        if (seconds <= 0m)
        {
            return 0m;
        }

        return Billing switch
        {
            BillingGranularity.PerMinute => decimal.Ceiling(seconds / 60m) * 60m,
            BillingGranularity.PerHour => decimal.Ceiling(seconds / 3600m) * 3600m,
            _ => Math.Max(seconds, (decimal)Minimum.Ticks / TimeSpan.TicksPerSecond),
        };
    }

    /// <summary>
    /// What the runner's billed time from <paramref name="before"/> to <paramref name="after"/> seconds (of billed
    /// states in its life) costs: the difference of the billed amounts, so rounding is charged once, when it starts.
    /// </summary>
    public decimal Charge(decimal before, decimal after) => PerHour * (BilledSeconds(after) - BilledSeconds(before)) / 3600m;
}
