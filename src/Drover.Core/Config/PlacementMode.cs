namespace Drover.Core.Config;

/// <summary>How a pool with several providers chooses one for each new runner (see docs/configuration.md).</summary>
public enum PlacementMode
{
    /// <summary>The first provider in list order that can take a runner now.</summary>
    Priority,

    /// <summary>Among the providers that can take a runner now, the one furthest below its weighted share of the pool.</summary>
    Weighted,
}
