using Drover.Core.Traces;

namespace Drover.Simulation.Engine;

/// <summary>One job of a simulated trace.</summary>
/// <param name="ArrivalSeconds">When the job is queued, in seconds after the scenario start.</param>
/// <param name="DurationSeconds">How long it runs once a runner takes it.</param>
/// <param name="LabelSet">Index into <see cref="SimulationScenario.LabelSets"/>: the labels (GitHub) or tags (GitLab) it asks for.</param>
public readonly record struct SimulatedJob(double ArrivalSeconds, double DurationSeconds, int LabelSet);
