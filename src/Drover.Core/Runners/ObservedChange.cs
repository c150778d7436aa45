namespace Drover.Core.Runners;

/// <summary>A runner state change the observations imply (see <see cref="ObservationRules"/>).</summary>
/// <param name="Runner">The runner as it is.</param>
/// <param name="Path">The states it passes through, in order; the last is where it ends.</param>
/// <param name="Reason">Why, for the runner's history and the event log.</param>
/// <param name="Change">What else changes on the record with the last state (a forge runner id, a job); null: nothing.</param>
/// <param name="LostJob">
/// The job the runner was running when the infrastructure took its instance away (<see cref="Planning.InstanceFailureKind.Lost"/>);
/// null otherwise. Such a job is a candidate for a re-run.
/// </param>
public sealed record ObservedChange(Runner Runner, IReadOnlyList<RunnerState> Path, string Reason, Func<Runner, Runner>? Change, Demand.JobKey? LostJob = null);
