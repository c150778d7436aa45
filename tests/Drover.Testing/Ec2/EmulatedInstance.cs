namespace Drover.Testing.Ec2;

/// <summary>One instance the <see cref="Ec2Emulator"/> holds, as DescribeInstances shows it.</summary>
public sealed class EmulatedInstance
{
    internal EmulatedInstance(string id, string reservationId, DateTimeOffset launchedAt)
    {
        Id = id;
        ReservationId = reservationId;
        LaunchedAt = launchedAt;
    }

    /// <summary>The instance id, <c>i-</c> and 17 hex digits.</summary>
    public string Id { get; }

    /// <summary>The reservation the RunInstances call made.</summary>
    public string ReservationId { get; }

    /// <summary>When RunInstances made it.</summary>
    public DateTimeOffset LaunchedAt { get; }

    /// <summary>The image id as requested (an AMI id, or <c>resolve:ssm:NAME</c> resolved to a fixed AMI).</summary>
    public string ImageId { get; internal set; } = "";

    /// <summary>The instance type.</summary>
    public string InstanceType { get; internal set; } = "";

    /// <summary>The subnet (empty: the default VPC's).</summary>
    public string SubnetId { get; internal set; } = "";

    /// <summary>The availability zone.</summary>
    public string AvailabilityZone { get; internal set; } = "";

    /// <summary>True for a spot instance (<c>instanceLifecycle</c> spot).</summary>
    public bool Spot { get; internal set; }

    /// <summary>The ClientToken it was created with, if any.</summary>
    public string? ClientToken { get; internal set; }

    /// <summary>The decoded user data.</summary>
    public string UserData { get; internal set; } = "";

    /// <summary>The security group ids.</summary>
    public IReadOnlyList<string> SecurityGroups { get; internal set; } = [];

    /// <summary>The IAM instance profile name or ARN, if any.</summary>
    public string? InstanceProfile { get; internal set; }

    /// <summary>The launch template id or name, if any.</summary>
    public string? LaunchTemplate { get; internal set; }

    /// <summary>The root volume size in GiB and type, if set.</summary>
    public (int? SizeGiB, string? Type) RootVolume { get; internal set; }

    /// <summary>What the instance does when its OS shuts down: <c>stop</c> (default) or <c>terminate</c>.</summary>
    public string ShutdownBehavior { get; internal set; } = "stop";

    /// <summary>pending, running, shutting-down, terminated, stopping or stopped.</summary>
    public string State { get; internal set; } = "pending";

    /// <summary>Why it changed state last (<c>Server.SpotInstanceTermination</c>, ...), with EC2's message; null when none.</summary>
    public (string Code, string Message)? StateReason { get; internal set; }

    /// <summary>When it became terminated.</summary>
    public DateTimeOffset? TerminatedAt { get; internal set; }

    /// <summary>Why its boot hook (its user data) failed, if it did; the instance shut down all the same.</summary>
    public string? BootError { get; internal set; }

    /// <summary>Its tags.</summary>
    public Dictionary<string, string> Tags { get; } = new(StringComparer.Ordinal);

    /// <summary>Every other request parameter RunInstances got, by its query name (e.g. <c>MetadataOptions.HttpTokens</c>).</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; internal set; } = new Dictionary<string, string>();

    internal CancellationTokenSource Life { get; } = new();

    internal int StateCode => State switch
    {
        "pending" => 0,
        "running" => 16,
        "shutting-down" => 32,
        "terminated" => 48,
        "stopping" => 64,
        _ => 80,
    };
}
