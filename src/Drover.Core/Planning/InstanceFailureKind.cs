namespace Drover.Core.Planning;

/// <summary>What kind of failure a provider reports for an instance (<see cref="ProviderInstance.Failure"/>).</summary>
public enum InstanceFailureKind
{
    /// <summary>
    /// The instance will never run a job: it cannot be scheduled or pulled, or it failed on its own (a runner that
    /// crashed, a job that failed its step). Nothing is re-run.
    /// </summary>
    Unusable,

    /// <summary>
    /// The infrastructure took the instance away: a spot interruption, node loss, eviction or preemption, an OOM-killed
    /// pod, a runner process killed by a signal Drover did not send. A job it was running was lost through no fault of
    /// its own and is re-run (<see cref="Config.PoolConfig.LostJobReruns"/>).
    /// </summary>
    Lost,
}
