namespace Drover.Core.Ports;

/// <summary>
/// How far the cost ledger has costed one runner: every moment of its life before <see cref="CostedUntil"/> is in the
/// ledger exactly once. Advanced in the same transaction as the ledger lines it covers, only from the value read
/// (compare and set), so a restart or a second leader can neither count an interval twice nor skip one.
/// </summary>
/// <param name="RunnerId">The runner.</param>
/// <param name="CostedUntil">The end of the costed part of its life.</param>
/// <param name="BilledSeconds">Seconds of billed states (booting, idle, busy, draining) costed so far; billing rounding counts from these.</param>
public sealed record RunnerCostMark(string RunnerId, DateTimeOffset CostedUntil, decimal BilledSeconds);
