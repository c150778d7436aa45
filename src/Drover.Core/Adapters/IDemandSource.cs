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
}
