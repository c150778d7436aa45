namespace Drover.Core.Runners;

/// <summary>
/// Runner lifecycle: Requested → Provisioning → Registering → Idle → Busy → Draining → Gone, plus Failed.
/// See <see cref="RunnerLifecycle"/> for the legal transitions and per-state timeouts.
/// </summary>
public enum RunnerState
{
    /// <summary>Planned; the store holds the intent, the provider has not confirmed an instance.</summary>
    Requested,

    /// <summary>The provider is creating the instance.</summary>
    Provisioning,

    /// <summary>The instance runs; the runner has not yet registered with the forge.</summary>
    Registering,

    /// <summary>Registered and waiting for a job.</summary>
    Idle,

    /// <summary>Running a job.</summary>
    Busy,

    /// <summary>Being removed: instance deletion and forge unregistration in progress.</summary>
    Draining,

    /// <summary>Instance and forge registration are gone. Terminal.</summary>
    Gone,

    /// <summary>Creation, boot or registration failed; waits for cleanup and a backed-off replacement.</summary>
    Failed,
}
