namespace Drover.Core.Demand;

/// <summary>
/// The boot milestones of the runner that took a job, by Drover's clock, as the runner record held them when the job
/// started on it. A milestone the engine did not see (a runner whose whole boot fell between two observations) is null.
/// </summary>
public sealed record JobRunnerTimes
{
    /// <summary>The runner's id (its name on the forge).</summary>
    public required string RunnerId { get; init; }

    /// <summary>When the create was requested: the runner's intent was written (<c>Runner.CreatedAt</c>).</summary>
    public required DateTimeOffset RequestedAt { get; init; }

    /// <summary>When the provider confirmed the instance (<c>Runner.ProvisionedAt</c>).</summary>
    public DateTimeOffset? InstanceCreatedAt { get; init; }

    /// <summary>When a forge list first showed the runner's registration online (<c>Runner.RegisteredAt</c>).</summary>
    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>When the engine counted the runner ready to take a job (<c>Runner.ReadyAt</c>).</summary>
    public DateTimeOffset? ReadyAt { get; init; }
}
