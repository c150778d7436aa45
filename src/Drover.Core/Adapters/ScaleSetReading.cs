namespace Drover.Core.Adapters;

/// <summary>
/// What a runner scale set's listener last learnt, for the <c>drover_scaleset_*</c> gauges: the statistics GitHub sends
/// with every message (named as GitHub names them), whether the message session is held, and how late messages arrive.
/// </summary>
/// <param name="AvailableJobs">totalAvailableJobs: offered to the set, not acquired yet.</param>
/// <param name="AcquiredJobs">totalAcquiredJobs: acquired, not assigned to a runner yet.</param>
/// <param name="AssignedJobs">totalAssignedJobs: assigned to the set, waiting or running (what ARC scales on).</param>
/// <param name="RunningJobs">totalRunningJobs.</param>
/// <param name="RegisteredRunners">totalRegisteredRunners.</param>
/// <param name="BusyRunners">totalBusyRunners.</param>
/// <param name="IdleRunners">totalIdleRunners.</param>
/// <param name="SessionHeld">Whether this replica holds the set's message session and its last poll worked.</param>
/// <param name="MessageLag">How late the last message's newest job event arrived; null before any.</param>
public sealed record ScaleSetReading(
    long AvailableJobs, long AcquiredJobs, long AssignedJobs, long RunningJobs, long RegisteredRunners, long BusyRunners, long IdleRunners,
    bool SessionHeld, TimeSpan? MessageLag);
