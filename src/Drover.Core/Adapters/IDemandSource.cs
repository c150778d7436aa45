using Drover.Core.Demand;

namespace Drover.Core.Adapters;

/// <summary>
/// Something that produces job events on its own while this replica leads: a forge poller, a long-poll listener,
/// the demo's simulated world. Providers or forges that implement it are run with the control loop.
/// </summary>
public interface IDemandSource
{
    /// <summary>Produces job events into <paramref name="sink"/> until cancelled.</summary>
    Task RunAsync(Action<JobEvent> sink, CancellationToken cancellationToken);

    /// <summary>
    /// At the start of a term (start-up, or taking over as leader), before <see cref="RunAsync"/>: the jobs the ledger
    /// holds waiting or running, restored from the store. A source that watches known jobs for how they end (a poller
    /// whose webhooks may have been lost while no replica led) takes them in; the default ignores them.
    /// </summary>
    void Resume(IReadOnlyCollection<Job> activeJobs)
    {
    }
}
