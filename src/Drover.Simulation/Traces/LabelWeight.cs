using Drover.Core.Traces;

namespace Drover.Simulation.Traces;

/// <summary>One entry of a synthetic label mix: jobs asking for <see cref="Labels"/>, in proportion to <see cref="Weight"/>.</summary>
public sealed record LabelWeight(LabelSet Labels, double Weight);
