namespace Drover.Core.Cost;

/// <summary>What a runner was doing while it cost money: a line of the cost ledger has one kind.</summary>
public enum CostKind
{
    /// <summary>Provisioning and registering: the instance exists but takes no job yet.</summary>
    Booting,

    /// <summary>Registered and waiting for a job: warm capacity nothing used ("idle waste").</summary>
    Idle,

    /// <summary>Running a job.</summary>
    Busy,

    /// <summary>Being deleted: the instance is still there.</summary>
    Draining,
}
