namespace Drover.Core.Ports;

/// <summary>
/// One line of the cost ledger: what a pool's runners cost between <see cref="From"/> and <see cref="To"/>.
/// <see cref="Id"/> is assigned by the store (pass 0).
/// </summary>
public sealed record CostEntry
{
    public long Id { get; init; }

    public required string Pool { get; init; }

    public string? Team { get; init; }

    public required string Provider { get; init; }

    public required DateTimeOffset From { get; init; }

    public required DateTimeOffset To { get; init; }

    public required double RunnerSeconds { get; init; }

    public required decimal Amount { get; init; }

    public required string Currency { get; init; }
}
