namespace Drover.Core.Cost;

/// <summary>One row of a cost report: what one pool, team, scope or provider cost in one currency.</summary>
/// <param name="Key">The pool, team (<c>(none)</c> for pools with none), scope or provider.</param>
/// <param name="Currency">ISO 4217 code.</param>
/// <param name="Amount">Everything its runners cost.</param>
/// <param name="IdleWaste">What its idle runners cost: warm capacity no job used.</param>
/// <param name="RunnerSeconds">Seconds of runner time costed.</param>
public sealed record CostRow(string Key, string Currency, decimal Amount, decimal IdleWaste, double RunnerSeconds)
{
    /// <summary>Idle waste as a share of the amount (0 when nothing was spent).</summary>
    public decimal IdleWasteShare => Amount > 0 ? IdleWaste / Amount : 0m;
}
