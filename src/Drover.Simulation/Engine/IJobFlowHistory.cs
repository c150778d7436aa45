using Drover.Core.Policies;

namespace Drover.Simulation.Engine;

/// <summary>
/// Demand history with the order of arrivals and completions per pool, for policies whose anchor keeps state driven by
/// individual job events (ARC's legacy webhook reservations). Entries are in the order Drover received them.
/// </summary>
public interface IJobFlowHistory : IDemandHistory
{
    /// <summary>Appends to <paramref name="into"/> the pool's records received after <paramref name="after"/> up to and including <paramref name="upTo"/>.</summary>
    void CopyFlow(string pool, DateTimeOffset after, DateTimeOffset upTo, List<FlowRecord> into);
}
