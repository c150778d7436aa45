namespace Drover.Simulation.FleetPlanning;

/// <summary>Jobs of a trace that no pool of the fleet takes: their labels (or tags), their scope and how many there were.</summary>
public sealed record UnmatchedRequest(IReadOnlyList<string> Labels, string? Scope, int Jobs);
