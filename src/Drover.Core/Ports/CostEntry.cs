using Drover.Core.Cost;
using Drover.Core.Demand;

namespace Drover.Core.Ports;

/// <summary>
/// One line of the cost ledger: what a pool's runners cost between <see cref="From"/> and <see cref="To"/>. The live
/// ledger writes one line per runner and kind of time per interval it costs, with the runner, the job (busy time) and
/// the forge scope. <see cref="Id"/> is assigned by the store (pass 0).
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

    /// <summary>What the runner was doing; null on lines written before the live ledger (a whole pool's spend).</summary>
    public CostKind? Kind { get; init; }

    /// <summary>The runner the line costs; null on lines that cost a whole pool.</summary>
    public string? RunnerId { get; init; }

    /// <summary>The job the runner ran (busy time), when known.</summary>
    public JobKey? Job { get; init; }

    /// <summary>The forge scope the cost belongs to (the job's repository or project, else the pool's scope), e.g. <c>repo:acme/web</c>.</summary>
    public string? Scope { get; init; }
}
