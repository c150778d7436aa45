using Drover.Core.Ports;

namespace Drover.Core.Cost;

/// <summary>What costing one runner gives: the ledger lines and the mark to move from <see cref="Expected"/> to <see cref="Next"/>.</summary>
/// <param name="Expected">The mark as read (null: none).</param>
/// <param name="Next">The mark after these lines.</param>
/// <param name="Lines">The ledger lines (none for a free runner or an empty interval).</param>
public sealed record RunnerCost(RunnerCostMark? Expected, RunnerCostMark Next, IReadOnlyList<CostEntry> Lines)
{
    /// <summary>True when nothing needs writing: the mark stays where it is.</summary>
    public bool IsEmpty => Expected == Next && Lines.Count == 0;
}
