namespace Drover.Core.Demand;

/// <summary>What <see cref="JobLedger.Apply"/> did with one <see cref="JobEvent"/>.</summary>
public enum LedgerApplyResult
{
    /// <summary>First event for the job: a new entry was created (a terminal one when the event was completed/cancelled).</summary>
    Added,

    /// <summary>The job moved to a more advanced state, or learnt a fact it was missing.</summary>
    Updated,

    /// <summary>The delivery id was seen before, or the event told the ledger nothing new about the job.</summary>
    Duplicate,

    /// <summary>
    /// The event is behind or contradicts the job's state (e.g. <c>queued</c> after <c>started</c>); the state is kept.
    /// Facts the job was missing (its queue time, labels) are still taken from it.
    /// </summary>
    Stale,
}
