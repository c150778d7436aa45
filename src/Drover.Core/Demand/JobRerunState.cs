namespace Drover.Core.Demand;

/// <summary>Where a lost job's re-run stands (<see cref="JobRerun.State"/>).</summary>
public enum JobRerunState
{
    /// <summary>Decided and recorded; the forge has not accepted the re-run yet (it is asked again on later cycles).</summary>
    Pending,

    /// <summary>The forge accepted the re-run: the job runs again (under <see cref="JobRerun.NewJobId"/> when known).</summary>
    Requested,

    /// <summary>Not re-run: the job was already re-run as many times as its pool allows.</summary>
    Capped,

    /// <summary>Not re-run: the pool does not re-run lost jobs (<c>lostJobReruns: 0</c>).</summary>
    Disabled,

    /// <summary>Not re-run: the forge refused, cannot re-run jobs, or did not accept within the re-run window.</summary>
    Refused,
}
