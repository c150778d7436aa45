namespace Drover.Core.Config;

public enum BudgetPeriod
{
    Day,
    Month,
}

/// <summary>
/// A spending cap for a pool. When the period's spend reaches <see cref="Limit"/>, the planner stops
/// adding runners beyond the ones already busy (no surprise bills); running jobs are never cut.
/// </summary>
public sealed record BudgetConfig
{
    public required decimal Limit { get; init; }

    public BudgetPeriod Period { get; init; } = BudgetPeriod.Month;

    public string Currency { get; init; } = "USD";
}
