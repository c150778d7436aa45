using Drover.Core.Demand;

namespace Drover.Core.Policies;

/// <summary>The jobs assigned to one pool: waiting ones and ones running on its runners.</summary>
public sealed record PoolDemand(int Queued, int Running, IReadOnlyList<Job> QueuedJobs)
{
    public int Assigned => Queued + Running;

    public static PoolDemand None { get; } = new(0, 0, []);
}
