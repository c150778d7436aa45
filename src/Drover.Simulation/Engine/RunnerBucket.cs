namespace Drover.Simulation.Engine;

/// <summary>How a simulated runner's time is billed and reported.</summary>
internal enum RunnerBucket
{
    /// <summary>Not billed: failed, draining or gone.</summary>
    None,

    /// <summary>Requested, provisioning or registering.</summary>
    Booting,

    Idle,

    Busy,
}
