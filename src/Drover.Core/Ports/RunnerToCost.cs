using Drover.Core.Runners;

namespace Drover.Core.Ports;

/// <summary>A runner whose life is not fully costed yet, with how far it is (null: not at all).</summary>
/// <param name="Runner">The runner as stored.</param>
/// <param name="Mark">Its cost mark, or null when no time of it was costed yet.</param>
public sealed record RunnerToCost(Runner Runner, RunnerCostMark? Mark);

/// <summary>A runner whose life is not fully costed yet, by id, with how far it is (null: not at all).</summary>
/// <param name="RunnerId">The runner's id.</param>
/// <param name="CostedUntil">Its cost mark's end, or null when no time of it was costed yet.</param>
public sealed record RunnerCostDue(string RunnerId, DateTimeOffset? CostedUntil);
