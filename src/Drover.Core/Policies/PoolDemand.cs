using System.Text.Json.Serialization;
using Drover.Core.Demand;

namespace Drover.Core.Policies;

/// <summary>The jobs assigned to one pool: waiting ones and ones running on its runners.</summary>
/// <param name="Queued">Waiting jobs the pool takes.</param>
/// <param name="Running">Jobs its busy runners run.</param>
/// <param name="QueuedJobs">
/// The waiting jobs themselves, in no particular order: a view of the ledger that is valid while the policy decides
/// (a <see cref="Planning.PoolPlan"/> keeps the counts only).
/// </param>
public sealed record PoolDemand(int Queued, int Running, [property: JsonIgnore] IReadOnlyCollection<Job> QueuedJobs)
{
    public int Assigned => Queued + Running;

    public static PoolDemand None { get; } = new(0, 0, []);
}
