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
}
