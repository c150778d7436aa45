namespace Drover.Core.Cost;

/// <summary>Who a runner's cost belongs to besides its pool and provider.</summary>
/// <param name="Team">The pool's team, or null.</param>
/// <param name="Scope">The pool's forge scope (<see cref="RunnerCosting.ScopeOf"/>); a busy line takes its job's when known.</param>
public sealed record CostAttribution(string? Team, string Scope);
