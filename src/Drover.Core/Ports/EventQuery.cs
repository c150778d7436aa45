namespace Drover.Core.Ports;

/// <summary>Which events to read: ids after <see cref="AfterId"/>, at or after <see cref="Since"/>, at most <see cref="Limit"/>.</summary>
public sealed record EventQuery
{
    public long AfterId { get; init; }

    public DateTimeOffset? Since { get; init; }

    public int Limit { get; init; } = 1000;

    /// <summary>
    /// False (default): the oldest <see cref="Limit"/> matching events. True: the newest <see cref="Limit"/> (for a view
    /// that shows the latest events and should not start at event 1). Either way they come oldest first.
    /// </summary>
    public bool Newest { get; init; }
}
