using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>
/// One entry of a synthetic label mix: jobs asking for <see cref="Labels"/>, in proportion to <see cref="Weight"/>; with a
/// <see cref="Scope"/>, they come from that repository or project instead of the push's.
/// </summary>
public sealed record LabelWeight(LabelSet Labels, double Weight, string? Scope = null);
