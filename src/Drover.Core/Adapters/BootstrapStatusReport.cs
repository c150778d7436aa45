namespace Drover.Core.Adapters;

/// <summary>What became of a status an instance reported (<see cref="InstanceBootstrap.ReportStatus"/>).</summary>
public enum BootstrapStatusReport
{
    /// <summary>Recorded.</summary>
    Accepted,

    /// <summary>The token is unknown, expired or its runner closed.</summary>
    InvalidToken,

    /// <summary>Not a legal step from the status reported before (e.g. <c>idle</c> back to <c>installing</c>).</summary>
    InvalidTransition,
}
