namespace Drover.Core.Config;

/// <summary>
/// How long the state store keeps what only history needs (<c>retention:</c>). The acting leader deletes what is older
/// in bounded batches; queued and running jobs, live runners and cost lines of a budget's current period are never
/// deleted.
/// </summary>
public sealed record RetentionConfig
{
    /// <summary>The least <see cref="CostLines"/>: the longest budget period (a month) plus a day, so no budget loses spend.</summary>
    public static readonly TimeSpan MinCostLines = TimeSpan.FromDays(32);

    /// <summary>Event log entries older than this are deleted (<c>events</c>).</summary>
    public TimeSpan Events { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Jobs completed, cancelled or expired longer ago than this are deleted (<c>jobs</c>).</summary>
    public TimeSpan Jobs { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Runners gone longer ago than this are deleted with their state history (<c>runners</c>).</summary>
    public TimeSpan Runners { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Cost ledger lines that started longer ago than this are deleted (<c>costLines</c>); at least <see cref="MinCostLines"/>.</summary>
    public TimeSpan CostLines { get; init; } = TimeSpan.FromDays(90);
}
