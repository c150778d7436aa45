namespace Drover.Core.Config;

/// <summary>
/// The outcome of loading a fleet configuration: either a complete <see cref="FleetConfig"/> and no errors, or no
/// configuration and every problem found, in file order.
/// </summary>
public sealed record ConfigLoadResult
{
    public FleetConfig? Config { get; init; }

    public IReadOnlyList<ConfigError> Errors { get; init; } = [];

    /// <summary>What works but should change (deprecated keys, with the place they moved to); never makes a load fail.</summary>
    public IReadOnlyList<ConfigError> Warnings { get; init; } = [];

    /// <summary>Where each field of <see cref="Config"/> was written; lets later stages point at the YAML too.</summary>
    public ConfigSourceMap SourceMap { get; init; } = ConfigSourceMap.Empty;

    public bool IsValid => Config is not null && Errors.Count == 0;
}
