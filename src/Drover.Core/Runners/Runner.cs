using Drover.Core.Demand;

namespace Drover.Core.Runners;

/// <summary>One runner as Drover tracks it: the intent, its instance at the provider and its forge registration.</summary>
public sealed record Runner
{
    /// <summary>Drover's id for the runner; equal to <see cref="IdempotencyKey"/> for runners Drover created.</summary>
    public required string Id { get; init; }

    public required string Pool { get; init; }

    public required string Provider { get; init; }

    /// <summary>Stable key of the create call: a retried create with the same key must not make a second instance.</summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>Per-pool sequence number the key was derived from.</summary>
    public long Ordinal { get; init; }

    public required RunnerState State { get; init; }

    /// <summary>When the runner entered <see cref="State"/>.</summary>
    public required DateTimeOffset StateSince { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public string? InstanceId { get; init; }

    /// <summary>When the runner entered Provisioning: the provider confirmed its instance (instance created).</summary>
    public DateTimeOffset? ProvisionedAt { get; init; }

    /// <summary>
    /// When the runner's registration was first seen online: the start of the forge list that showed it; null when the
    /// runner was seen running a job before any list showed it online.
    /// </summary>
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>When the engine counted the runner ready to take a job: it left its boot states for Idle or Busy.</summary>
    public DateTimeOffset? ReadyAt { get; init; }

    public string? ForgeRunnerId { get; init; }

    /// <summary>The job it runs while Busy.</summary>
    public JobKey? Job { get; init; }

    /// <summary>Consecutive failures of this runner's slot, counting this one when <see cref="State"/> is Failed.</summary>
    public int Attempt { get; init; }

    public string? FailureReason { get; init; }

    /// <summary>
    /// When Drover saw the provider report the instance lost (taken by the infrastructure: a spot interruption, an
    /// eviction, a kill from outside; <see cref="Planning.InstanceFailureKind.Lost"/>), or null. A lost runner that is
    /// Failed with no <see cref="Job"/> is kept for <see cref="ObservationRules.LostJobIdentificationWindow"/> so a job
    /// the forge later reports on it is still found and re-run.
    /// </summary>
    public DateTimeOffset? LostAt { get; init; }

    /// <summary>True while the runner counts toward the pool's size (booting, idle or busy).</summary>
    public bool IsActive => State is RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering or RunnerState.Idle or RunnerState.Busy;

    /// <summary>True before the runner is ready to take a job.</summary>
    public bool IsBooting => State is RunnerState.Requested or RunnerState.Provisioning or RunnerState.Registering;
}
