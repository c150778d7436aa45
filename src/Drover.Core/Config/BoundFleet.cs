namespace Drover.Core.Config;

/// <summary>
/// What binding produced: a configuration (with placeholders where the file was wrong) plus which forges and pools
/// are incomplete, so that semantic rules skip what binding already reported instead of piling on.
/// </summary>
internal sealed record BoundFleet(FleetConfig Config, IReadOnlySet<int> IncompleteForges, IReadOnlySet<int> IncompletePools);
