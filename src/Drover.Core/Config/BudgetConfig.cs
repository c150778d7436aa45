namespace Drover.Core.Config;

/// <summary>The calendar period a budget counts spend over, in its time zone.</summary>
public enum BudgetPeriod
{
    Day,
    Month,

    /// <summary>Monday 00:00 to the next Monday 00:00.</summary>
    Week,
}

/// <summary>What happens once a budget's period spend reaches its <see cref="BudgetConfig.Limit"/>.</summary>
public enum BudgetAction
{
    /// <summary>Alert only: the event, metric and notification; runners are planned as before (<c>alert-only</c>).</summary>
    AlertOnly,

    /// <summary>No warm runners: only queued and running jobs get runners (<c>stop-warm</c>).</summary>
    StopWarm,

    /// <summary>No new runners at all; running jobs are never cut (<c>hard-cap</c>, the default).</summary>
    HardCap,
}

/// <summary>How a budget notification's JSON body looks.</summary>
public enum NotifyFormat
{
    /// <summary>Drover's own JSON (<c>json</c>): budget, period, spend, limit, ratio, threshold, forecast.</summary>
    Json,

    /// <summary>A Slack incoming-webhook body (<c>slack</c>): <c>{"text": "..."}</c>.</summary>
    Slack,
}

/// <summary>Where a budget's alerts are posted (<c>budget.notify</c>).</summary>
public sealed record BudgetNotify
{
    /// <summary>The URL to POST to, by reference (it often holds a token): <c>env:NAME</c> or <c>file:/path</c>.</summary>
    public required SecretRef Url { get; init; }

    public NotifyFormat Format { get; init; } = NotifyFormat.Json;
}

/// <summary>
/// A spending cap for a pool or a team over a calendar period in a time zone. At each of <see cref="Thresholds"/> (a
/// share of <see cref="Limit"/>) an event, the <c>drover_budget_used_ratio</c> metric and an optional notification; at
/// the limit, <see cref="Action"/>. Running jobs are never cut.
/// </summary>
public sealed record BudgetConfig
{
    public required decimal Limit { get; init; }

    public BudgetPeriod Period { get; init; } = BudgetPeriod.Month;

    /// <summary>IANA time zone the period's days start in (<c>timezone</c>, default UTC).</summary>
    public string TimeZone { get; init; } = "UTC";

    public string Currency { get; init; } = "USD";

    /// <summary>Shares of the limit that raise an alert once each period (<c>thresholds</c>, default 0.8).</summary>
    public IReadOnlyList<decimal> Thresholds { get; init; } = DefaultThresholds;

    /// <summary>What happens at 100% (<c>action</c>).</summary>
    public BudgetAction Action { get; init; } = BudgetAction.HardCap;

    /// <summary>Where alerts are posted; null: events and metrics only.</summary>
    public BudgetNotify? Notify { get; init; }

    /// <summary>The default alert thresholds: 80% of the limit.</summary>
    public static IReadOnlyList<decimal> DefaultThresholds { get; } = [0.8m];
}
