namespace Drover.Core.Ports;

/// <summary>Which events to read: ids after <see cref="AfterId"/>, at or after <see cref="Since"/>, at most <see cref="Limit"/>.</summary>
public sealed record EventQuery
{
    public long AfterId { get; init; }

    public DateTimeOffset? Since { get; init; }

    public int Limit { get; init; } = 1000;
}
