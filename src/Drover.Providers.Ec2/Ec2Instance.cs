namespace Drover.Providers.Ec2;

/// <summary>An instance as DescribeInstances or RunInstances shows it, in the provider's own terms.</summary>
/// <param name="Id">The instance id.</param>
/// <param name="State">pending, running, shutting-down, terminated, stopping or stopped.</param>
/// <param name="LaunchedAt">When it was launched.</param>
internal sealed record Ec2Instance(string Id, string State, DateTimeOffset LaunchedAt)
{
    /// <summary>The state reason's code (<c>Server.SpotInstanceTermination</c>, ...); null when none.</summary>
    public string? StateReasonCode { get; init; }

    /// <summary>The state reason's message.</summary>
    public string? StateReasonMessage { get; init; }

    /// <summary>True for a spot instance.</summary>
    public bool Spot { get; init; }

    /// <summary>The instance type.</summary>
    public string? InstanceType { get; init; }

    /// <summary>The availability zone.</summary>
    public string? AvailabilityZone { get; init; }

    /// <summary>The instance's tags.</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
