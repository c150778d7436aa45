namespace Drover.Core.Demand;

public enum JobState
{
    Queued,
    Running,
    Completed,
    Cancelled,

    /// <summary>Queued so long without news that the ledger stopped waiting for it.</summary>
    Expired,
}
