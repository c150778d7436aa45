namespace Drover.Simulation.Engine;

/// <summary>What a queued simulator event does when its time comes.</summary>
internal enum SimEventKind
{
    /// <summary>The next trace job arrives at the forge.</summary>
    Arrival,

    /// <summary>A runner's boot ends: it registers, or fails.</summary>
    BootDone,

    /// <summary>A busy runner's job finishes.</summary>
    JobDone,

    /// <summary>A spot runner is interrupted by its provider.</summary>
    SpotInterruption,

    /// <summary>A job event reaches Drover's ledger.</summary>
    Delivery,

    /// <summary>The polling reconciler compares the forge's truth with the ledger.</summary>
    Poll,

    /// <summary>Ledger maintenance: expire stale queued jobs and forget old finished ones.</summary>
    Prune,

    /// <summary>The periodic resync plan.</summary>
    Resync,

    /// <summary>A plan triggered by a delivered job event or a provider report.</summary>
    Plan,

    /// <summary>The loop's single timer, set to the last plan's <c>NextWakeAt</c>; a superseded timer does nothing.</summary>
    Wake,
}
