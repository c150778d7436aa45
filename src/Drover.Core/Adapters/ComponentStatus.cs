namespace Drover.Core.Adapters;

/// <summary>How a component of the control plane is doing, as <c>GET /api/v1/health</c> reports it.</summary>
public enum ComponentStatus
{
    /// <summary>Its last check succeeded.</summary>
    Ok,

    /// <summary>It works but something is wrong (rate limit low, watch restarting, some calls failing).</summary>
    Degraded,

    /// <summary>It cannot do its job (unreachable, credential refused).</summary>
    Down,
}
