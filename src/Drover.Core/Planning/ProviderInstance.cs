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
}
