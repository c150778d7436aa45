using Drover.Core.Runners;

namespace Drover.Core.Ports;

/// <summary>A runner whose life is not fully costed yet, with how far it is (null: not at all).</summary>
/// <param name="Runner">The runner as stored.</param>
/// <param name="Mark">Its cost mark, or null when no time of it was costed yet.</param>
public sealed record RunnerToCost(Runner Runner, RunnerCostMark? Mark);
