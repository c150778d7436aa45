namespace Drover.Core.Config;

/// <summary>One provider a pool may place runners on, with its share under <see cref="PlacementMode.Weighted"/>.</summary>
/// <param name="Name">Name of the provider in <see cref="FleetConfig.Providers"/>.</param>
/// <param name="Weight">Relative share of the pool's runners (at least 1); ignored under <see cref="PlacementMode.Priority"/>.</param>
public sealed record PoolProvider(string Name, int Weight = 1);
