using Drover.Core.Demand;
using Drover.Core.Planning;

namespace Drover.Core.Ports;

/// <summary>What <see cref="IStateStore.LoadPlanningStateAsync"/> returns: the stored part of the observed state and the active jobs.</summary>
public sealed record PlanningState(ObservedState Observed, IReadOnlyList<Job> ActiveJobs);
