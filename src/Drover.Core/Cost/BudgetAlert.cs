using System.Globalization;

namespace Drover.Core.Cost;

/// <summary>A budget crossed one of its thresholds (or its limit) in the current period: what events and notifications say.</summary>
/// <param name="Status">The budget as it stands.</param>
/// <param name="Threshold">The share of the limit reached (1: the limit itself).</param>
/// <param name="At">When Drover saw it.</param>
public sealed record BudgetAlert(BudgetStatus Status, decimal Threshold, DateTimeOffset At)
{
    /// <summary>One line for people: what was reached, how much is spent, what happens, and the forecast.</summary>
    public string Text()
    {
        var budget = Status.Budget;
        var period = budget.Period.ToString().ToLowerInvariant();
        if (Threshold >= 1m)
        {
            return $"Drover: {Status.Describe()}.";
        }

        var inv = CultureInfo.InvariantCulture;
        var forecast = Status.SpentBy(At) is { } by ? string.Create(inv, $"; at the current rate the budget is spent by {by.UtcDateTime:yyyy-MM-dd HH:mm}Z") : string.Empty;
        return string.Create(inv, $"Drover: budget {Status.Name} at {Status.UsedRatio * 100:0}% ({Status.Spend:0.00} of {budget.Limit:0.00} {budget.Currency} this {period}), past its {Threshold * 100:0}% threshold{forecast}.");
    }
}
