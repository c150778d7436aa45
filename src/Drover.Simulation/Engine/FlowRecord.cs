using Drover.Core.Demand;

namespace Drover.Simulation.Engine;

/// <summary>One job event as Drover saw it for a pool: a job became known (queued) or finished (completed/cancelled).</summary>
/// <param name="At">When Drover received it.</param>
/// <param name="Kind">Queued or Completed (cancellations count as completions).</param>
public readonly record struct FlowRecord(DateTimeOffset At, JobEventKind Kind);
