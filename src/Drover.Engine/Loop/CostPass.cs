using Drover.Core.Ports;

namespace Drover.Engine.Loop;

/// <summary>What a cost pass gives the budgets: the lines it committed, and every runner's live time not written yet.</summary>
/// <param name="Written">The lines committed by this pass (none when it was not time, or nothing closed).</param>
/// <param name="Pending">
/// Each costed runner's time since its cost mark, priced as the ledger will write it when the runner's state changes or
/// the hour ends: not in the store, but spend all the same.
/// </param>
internal sealed record CostPass(IReadOnlyList<CostEntry> Written, IReadOnlyList<CostEntry> Pending);
