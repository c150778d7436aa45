using Drover.Core.Config;

namespace Drover.Core.Cost;

/// <summary>Where one budget stands now: its period, spend, share used and the forecast at the current rate.</summary>
/// <param name="Name">The budget's name: <c>pool/NAME</c> or <c>team/NAME</c>.</param>
/// <param name="Budget">Its configuration.</param>
/// <param name="PeriodStart">Start of the current period.</param>
/// <param name="PeriodEnd">End of the current period.</param>
/// <param name="Spend">Spend so far in the period.</param>
public sealed record BudgetStatus(string Name, BudgetConfig Budget, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, decimal Spend)
{
    /// <summary>Spend over limit (a limit of 0 counts as used up once anything is spent, and as 1 even before).</summary>
    public decimal UsedRatio => Budget.Limit > 0 ? Spend / Budget.Limit : 1m;

    /// <summary>True once the period's spend reached the limit.</summary>
    public bool Exhausted => Spend >= Budget.Limit;

    /// <summary>The highest configured threshold reached, or null.</summary>
    public decimal? ThresholdReached => Budget.Thresholds.Where(t => UsedRatio >= t).Select(t => (decimal?)t).Max();

    /// <summary>
    /// At the period's rate so far, when the limit is reached: null when nothing was spent yet, when it is already
    /// reached, or when the rate would not reach it before the period ends.
    /// </summary>
    public DateTimeOffset? SpentBy(DateTimeOffset now)
    {
        var elapsed = now - PeriodStart;
        if (Spend <= 0 || Exhausted || elapsed <= TimeSpan.Zero)
        {
            return null;
        }

        var perSecond = Spend / (decimal)elapsed.TotalSeconds;
        var seconds = (Budget.Limit - Spend) / perSecond;
        var at = seconds >= (decimal)(PeriodEnd - now).TotalSeconds ? (DateTimeOffset?)null : now + TimeSpan.FromSeconds((double)seconds);
        return at;
    }

    /// <summary>The fleet file's spelling of the budget's action: <c>alert-only</c>, <c>stop-warm</c> or <c>hard-cap</c>.</summary>
    public string ActionName => Budget.Action switch
    {
        BudgetAction.AlertOnly => "alert-only",
        BudgetAction.StopWarm => "stop-warm",
        _ => "hard-cap",
    };

    /// <summary>The sentence a plan note, the API and the dashboard show for an exhausted budget.</summary>
    public string Describe() => Budget.Action switch
    {
        BudgetAction.AlertOnly => FormattableString.Invariant($"budget reached: {Name} spent {Spend:0.00} of {Budget.Limit:0.00} {Budget.Currency} this {PeriodName}; alert-only, runners planned as before"),
        BudgetAction.StopWarm => FormattableString.Invariant($"budget reached: {Name} spent {Spend:0.00} of {Budget.Limit:0.00} {Budget.Currency} this {PeriodName}; stop-warm, no warm runners, queued jobs still served"),
        _ => FormattableString.Invariant($"budget reached: {Name} spent {Spend:0.00} of {Budget.Limit:0.00} {Budget.Currency} this {PeriodName}; hard-cap, no new runners"),
    };

    private string PeriodName => Budget.Period.ToString().ToLowerInvariant();
}
