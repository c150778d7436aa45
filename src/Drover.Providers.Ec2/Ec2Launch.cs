namespace Drover.Providers.Ec2;

/// <summary>One RunInstances call: a pool's template with one choice of instance type, subnet and market.</summary>
internal sealed record Ec2Launch
{
    /// <summary>The image: an AMI id, <c>resolve:ssm:NAME</c>, or null to take the launch template's.</summary>
    public string? ImageId { get; init; }

    /// <summary>The instance type; null to take the launch template's.</summary>
    public string? InstanceType { get; init; }

    /// <summary>The subnet; null: the default VPC's (or the launch template's).</summary>
    public string? SubnetId { get; init; }

    /// <summary>Spot (one-time, terminated on interruption) or on-demand.</summary>
    public bool Spot { get; init; }

    /// <summary>The idempotency token of this call.</summary>
    public required string ClientToken { get; init; }

    /// <summary>The user data, plain text (base64-encoded on the wire).</summary>
    public required string UserData { get; init; }

    /// <summary>The instance's tags (ownership tags included).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; }

    /// <summary>The template the rest comes from.</summary>
    public required Ec2TemplateSettings Template { get; init; }
}
