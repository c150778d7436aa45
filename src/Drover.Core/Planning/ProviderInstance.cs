namespace Drover.Core.Planning;

/// <summary>An instance (pod, VM, process) a provider reports as owned by this controller.</summary>
public sealed record ProviderInstance
{
    public required string Provider { get; init; }

    public required string InstanceId { get; init; }

    /// <summary>The idempotency key the instance was created with (name, tag or label), when the provider knows it.</summary>
    public string? IdempotencyKey { get; init; }

    public string? Pool { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Set when the provider knows the instance will never run a job — a pod that cannot be scheduled or pulled, an
    /// evicted one — with the reason in words; its runner is then failed (and replaced) at once.
    /// </summary>
    public string? Failure { get; init; }

    /// <summary>
    /// What kind of failure <see cref="Failure"/> is: the instance will never run a job (the default), or the
    /// infrastructure took it away (<see cref="InstanceFailureKind.Lost"/>), which also fails a busy runner and has its
    /// job re-run. Meaningless while <see cref="Failure"/> is null.
    /// </summary>
    public InstanceFailureKind FailureKind { get; init; }
}
