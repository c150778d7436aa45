namespace Drover.Simulation.Engine;

/// <summary>Where a trace job is at the simulated forge.</summary>
internal enum JobPhase : byte
{
    /// <summary>Not arrived yet.</summary>
    Future,

    /// <summary>Queued, no runner has taken it.</summary>
    Waiting,

    Running,

    Done,
}
