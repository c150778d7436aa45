using Drover.Core.Demand;

namespace Drover.Simulation.Engine;

/// <summary>One scheduled event: its kind and the job, runner or delivery it concerns.</summary>
internal readonly record struct SimEvent(SimEventKind Kind, int Job = -1, SimRunner? Runner = null, JobEvent? Delivery = null, int Incarnation = 0);
