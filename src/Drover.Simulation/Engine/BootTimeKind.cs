namespace Drover.Simulation.Engine;

/// <summary>The shape of a <see cref="BootTimeDistribution"/>.</summary>
public enum BootTimeKind
{
    /// <summary>Always the same boot time.</summary>
    Fixed,

    /// <summary>Lognormal with a median and a sigma (of the underlying normal).</summary>
    LogNormal,

    /// <summary>Uniform between a minimum and a maximum.</summary>
    Uniform,
}
