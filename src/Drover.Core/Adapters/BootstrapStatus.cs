namespace Drover.Core.Adapters;

/// <summary>The bootstrap statuses an instance reports (GARM's runner statuses an instance may send).</summary>
public static class BootstrapStatus
{
    /// <summary>Created; nothing reported yet.</summary>
    public const string Pending = "pending";

    /// <summary>Installing the runner.</summary>
    public const string Installing = "installing";

    /// <summary>The runner is installed and started: the bootstrap is over.</summary>
    public const string Idle = "idle";

    /// <summary>The bootstrap failed: it is over.</summary>
    public const string Failed = "failed";
}
